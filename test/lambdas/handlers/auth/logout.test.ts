import { validateHeaderValue } from 'node:http';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/logout').handler;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler } = await import('../../../../lambdas/handlers/auth/logout'));
});
afterAll(() => integration?.guichet.close());

const logout = (init: { cookies?: string[]; query?: string; body?: string; headers?: Record<string, string> }) =>
  invoke(handler, httpEvent({ method: 'POST', path: '/auth/logout', ...init }));

describe('POST /auth/logout', () => {
  it('ends the session, clears the cookie and sends the browser to the IdP with id_token_hint', async () => {
    const { token, id } = await storedSession(integration.store, { idToken: 'the.id.token' });
    const result = await logout({ cookies: [`guichet_session=${token}`] });

    expect(result.statusCode).toBe(302);
    const location = new URL(result.headers!.Location as string);
    expect(location.origin).toBe(integration.guichet.issuer);
    expect(location.searchParams.get('id_token_hint')).toBe('the.id.token');
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${integration.guichet.publicUrl}/`);
    expect(result.cookies).toEqual(['guichet_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax']);
    expect(await integration.store.get('sessions', id)).toBeUndefined();
  });

  it('takes returnTo from a form field', async () => {
    const { token } = await storedSession(integration.store);
    const result = await logout({
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'returnTo=%2Fbye',
    });
    const location = new URL(result.headers!.Location as string);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${integration.guichet.publicUrl}/bye`);
  });

  it('without a session, clears the cookie and redirects to returnTo', async () => {
    const result = await logout({ query: 'returnTo=%2Fsigned-out' });
    expect(result.statusCode).toBe(302);
    expect(result.headers!.Location).toBe('/signed-out');
    expect(result.cookies).toEqual([expect.stringMatching(/^guichet_session=; .*Max-Age=0/)]);
  });

  it.each([
    ['returnTo=%2F%C4%80', '/%C4%80'],
    ['returnTo=%2F%25C4%2580', '/%C4%80'],
    ['returnTo=%2F%C3%BF', '/%C3%BF'],
  ])('percent-encodes %s so that the Location header can be written', async (query, location) => {
    const result = await logout({ query });
    expect(result.statusCode).toBe(302);
    expect(result.headers!.Location).toBe(location);
    expect(() => validateHeaderValue('location', String(result.headers!.Location))).not.toThrow();
  });

  it('refuses a foreign returnTo before ending anything', async () => {
    const { token, id } = await storedSession(integration.store);
    const result = await logout({ cookies: [`guichet_session=${token}`], query: 'returnTo=https%3A%2F%2Fevil.example' });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
    expect(await integration.store.get('sessions', id)).toBeDefined();
  });
});
