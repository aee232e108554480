import { httpEvent } from '../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../support/integration';
import { storedSession } from '../support/sessions';

/**
 * Issue 20, point 3: any site could post a form to `POST /auth/logout`. The browser applies the answer's
 * `Max-Age=0` on that top-level navigation: the visitor was logged out of the browser while the server session
 * lived on. A browser sends `Origin` with every POST (Fetch standard, "append a request `Origin` header"), so a
 * page of another origin is refused before anything is ended; a request without `Origin` is no browser's.
 */
const LISTED = 'https://app.example.com';
let integration: Integration;
let handler: typeof import('../../lambdas/handlers/auth/logout').handler;

beforeAll(async () => {
  integration = await startIntegration({ CORS_ORIGINS: LISTED });
  ({ handler } = await import('../../lambdas/handlers/auth/logout'));
});
afterAll(() => integration?.guichet.close());

/** A form post to the logout, with the session cookie the browser attaches, from a page of `origin`. */
async function logoutFrom(origin: string | undefined, site?: string) {
  const { token, id } = await storedSession(integration.store);
  const result = await invoke(
    handler,
    httpEvent({
      method: 'POST',
      path: '/auth/logout',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin === undefined ? {} : { origin }),
        ...(site === undefined ? {} : { 'sec-fetch-site': site }),
      },
      cookies: [`guichet_session=${token}`],
      body: 'returnTo=%2F',
    }),
  );
  return { result, sessionKept: (await integration.store.get('sessions', id)) !== undefined };
}

describe('POST /auth/logout from a page of another site', () => {
  it.each([
    ['an unlisted origin', 'https://evil.example', undefined],
    ['a sibling of guichet on another port', 'http://127.0.0.1:1', undefined],
    ['an opaque origin (a sandboxed frame, a data: URL)', 'null', undefined],
    ['a page of another site whose no-referrer policy makes its Origin null', 'null', 'cross-site'],
  ])('is refused for %s: 403, nothing ended, the cookie kept', async (_, origin, site) => {
    const { result, sessionKept } = await logoutFrom(origin, site);
    expect(result.statusCode).toBe(403);
    expect(jsonBody(result).error).toBe('access_denied');
    expect(result.cookies ?? []).toEqual([]);
    expect(sessionKept).toBe(true);
  });
});

describe('POST /auth/logout', () => {
  it.each([
    ["from guichet's own pages", () => new URL(integration.guichet.publicUrl).origin, undefined],
    ['from an origin listed in CORS_ORIGINS', () => LISTED, undefined],
    ['without Origin (a native app, a server)', () => undefined, undefined],
    ["from guichet's own no-referrer pages, whose forms say Origin: null (Sec-Fetch-Site: same-origin)", () => 'null', 'same-origin'],
  ])('ends the session %s', async (_, origin, site) => {
    const { result, sessionKept } = await logoutFrom(origin(), site);
    expect(result.statusCode).toBe(302);
    expect(result.cookies).toEqual([expect.stringMatching(/^guichet_session=; .*Max-Age=0/)]);
    expect(sessionKept).toBe(false);
  });
});
