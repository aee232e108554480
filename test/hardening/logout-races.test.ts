import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionRecord } from '../../lambdas/repositories/sessions';
import { sha256 } from '../../lambdas/shared/crypto';
import { httpEvent } from '../support/api-event';
import { type FakeIdp, startFakeIdp } from '../support/fake-idp';
import { type Integration, invoke, jsonBody, startIntegration } from '../support/integration';

/**
 * Issue 20, point 5: a back-channel logout could leave a session alive for its whole lifetime (12 hours).
 * - A callback whose code was redeemed just before the IdP session ended wrote its session after the logout.
 * - The `sid` and `sub` indexes are eventually consistent: a session written just before the logout was missed.
 * The first is replayed through the handlers. The interleavings of the second are driven step by step through the
 * domain functions, in a chosen order, against an index that lags on demand: a test double over DynamoDB's Query
 * answers hides the sessions the test has not "replicated" yet. Nothing depends on timing.
 */
const CLIENT_ID = 'guichet-races';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let idp: FakeIdp;
let integration: Integration;
let idTokenClaims: Record<string, unknown> = {};
let handlers: Record<'login' | 'callback' | 'backchannel', Parameters<typeof invoke>[0]>;
let domain: {
  races: typeof import('../../lambdas/domain/idp-logout-races');
  backchannel: typeof import('../../lambdas/domain/backchannel-logout');
  repository: typeof import('../../lambdas/repositories/sessions');
  dynamo: typeof import('../../lambdas/shared/dynamo');
};

const now = () => Math.floor(Date.now() / 1000);
const unique = () => randomBytes(8).toString('hex');
const scoped = (value: string) => JSON.stringify([idp.issuer, value]);

beforeAll(async () => {
  idp = await startFakeIdp(async () => ({
    access_token: 'at',
    token_type: 'Bearer',
    id_token: await idp.sign({ iss: idp.issuer, aud: CLIENT_ID, iat: now(), exp: now() + 300, ...idTokenClaims }),
  }));
  integration = await startIntegration({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'secret' });
  handlers = {
    login: (await import('../../lambdas/handlers/auth/login')).handler,
    callback: (await import('../../lambdas/handlers/auth/callback')).handler,
    backchannel: (await import('../../lambdas/handlers/auth/backchannel-logout')).handler,
  };
  domain = {
    races: await import('../../lambdas/domain/idp-logout-races'),
    backchannel: await import('../../lambdas/domain/backchannel-logout'),
    repository: await import('../../lambdas/repositories/sessions'),
    dynamo: await import('../../lambdas/shared/dynamo'),
  };
});
afterAll(async () => {
  await integration?.guichet.close();
  await idp?.close();
});
afterEach(() => jest.restoreAllMocks());

/** Ids of the sessions of `sub` still in the table (read from the table itself, not through an index). */
const sessionsOf = async (sub: string) =>
  (await integration.store.all('sessions')).filter((item) => item.sub === sub).map((item) => item.id);

/** The IdP logs out `claims` (a sid, a sub, or both) through the back-channel handler. */
async function idpLogout(claims: { sid?: string; sub?: string; iat?: number }) {
  const token = await idp.sign({
    iss: idp.issuer,
    aud: CLIENT_ID,
    iat: now(),
    exp: now() + 120,
    jti: unique(),
    events: { [EVENT]: {} },
    ...claims,
  });
  const result = await invoke(
    handlers.backchannel,
    httpEvent({
      method: 'POST',
      path: '/auth/backchannel-logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    }),
  );
  expect(result.statusCode).toBe(200);
}

/** A whole web login whose ID token carries `claims`: the callback's answer. */
async function logIn(claims: Record<string, unknown>) {
  const started = await invoke(handlers.login, httpEvent({ path: '/auth/login' }));
  const authorization = new URL(started.headers!.Location as string);
  const state = authorization.searchParams.get('state')!;
  idTokenClaims = { nonce: authorization.searchParams.get('nonce'), ...claims };
  const query = new URLSearchParams({ code: 'c', state }).toString();
  return invoke(handlers.callback, httpEvent({ path: '/auth/callback', query, cookies: [`guichet_login_state=${state}`] }));
}

describe('a callback whose code was redeemed just before the IdP session ended', () => {
  it('creates no session once the IdP logged out its sid', async () => {
    const [sub, sid] = [unique(), unique()];
    await idpLogout({ sid, sub });
    const callback = await logIn({ sub, sid, iat: now() - 1 });
    expect(callback.statusCode).toBe(400);
    expect(jsonBody(callback).error).toBe('invalid_grant');
    expect(await sessionsOf(sub)).toEqual([]);
  });

  it('creates no session once the IdP logged out its user (sub only), and lets the next login in', async () => {
    const sub = unique();
    const loggedOutAt = now();
    await idpLogout({ sub, iat: loggedOutAt });
    expect((await logIn({ sub, sid: unique(), iat: loggedOutAt - 1 })).statusCode).toBe(400);
    expect((await logIn({ sub, sid: unique(), iat: loggedOutAt })).statusCode).toBe(400);
    expect(await sessionsOf(sub)).toEqual([]);

    const later = await logIn({ sub, sid: unique(), iat: loggedOutAt + 1 });
    expect(later.statusCode).toBe(302);
    expect(await sessionsOf(sub)).toHaveLength(1);
  });

  it('leaves the other IdP sessions of the person alone', async () => {
    const sub = unique();
    await idpLogout({ sid: unique(), sub });
    expect((await logIn({ sub, sid: unique() })).statusCode).toBe(302);
  });
});

describe('the interleavings of a callback (C) and a back-channel logout (L), against an index that lags', () => {
  /** Sessions written but not yet in the indexes. */
  const unreplicated = new Set<string>();
  let pauses: number[];
  /** L's pause between its two looks: the index catches up meanwhile. */
  const pause = async (ms: number) => {
    pauses.push(ms);
    unreplicated.clear();
  };

  beforeEach(() => {
    unreplicated.clear();
    pauses = [];
    const send = domain.dynamo.documentClient.send.bind(domain.dynamo.documentClient);
    jest.spyOn(domain.dynamo.documentClient, 'send').mockImplementation((async (command: unknown) => {
      const output = (await send(command as never)) as { Items?: Record<string, unknown>[] };
      if (!(command instanceof QueryCommand)) return output;
      return { ...output, Items: (output.Items ?? []).filter((item) => !unreplicated.has(item.id as string)) };
    }) as typeof domain.dynamo.documentClient.send);
  });

  /** C's two steps, as `createSession` makes them: the session written (not yet in the index), then noted. */
  function callback(sub: string, sid: string) {
    const token = unique();
    const record: SessionRecord = {
      id: sha256(token),
      flow: 'web',
      issuer: idp.issuer,
      sub,
      subjectKey: scoped(sub),
      idpSessionKey: scoped(sid),
      sid,
      createdAt: now(),
      expiresAt: now() + 3600,
    };
    return {
      write: async () => {
        await domain.repository.saveSession(record);
        unreplicated.add(record.id);
      },
      note: (at = Date.now()) => domain.races.refuseIfLoggedOutMeanwhile(record, now() - 1, 3600, at),
      exists: async () => (await integration.store.get('sessions', record.id)) !== undefined,
    };
  }
  const logout = (claims: { sid?: string; sub?: string }) =>
    domain.backchannel.endSessionsOf({ issuer: idp.issuer, jti: unique(), issuedAt: now(), deadAt: now() + 600, ...claims }, pause);

  it.each([
    ['sid', true],
    ['sub', false],
  ])(
    'C writes, C notes, L ends by %s: the index misses the session, L looks again after the lag allowance and ends it',
    async (_, bySid) => {
      const [sub, sid] = [unique(), unique()];
      const c = callback(sub, sid);
      await c.write();
      await c.note();
      expect(await logout(bySid ? { sid } : { sub })).toBe(1);
      expect(pauses).toHaveLength(1);
      expect(pauses[0]).toBeGreaterThan(0);
      expect(pauses[0]).toBeLessThanOrEqual(domain.races.INDEX_LAG_ALLOWANCE_MS);
      expect(await c.exists()).toBe(false);
    },
  );

  it.each([
    ['sid', true],
    ['sub', false],
  ])('C writes, L ends by %s (missing it), C notes: C takes its session back', async (_, bySid) => {
    const [sub, sid] = [unique(), unique()];
    const c = callback(sub, sid);
    await c.write();
    expect(await logout(bySid ? { sid } : { sub })).toBe(0);
    await expect(c.note()).rejects.toMatchObject({ status: 400, code: 'invalid_grant' });
    expect(await c.exists()).toBe(false);
  });

  it('L ends the sid, then C writes and notes: refused', async () => {
    const [sub, sid] = [unique(), unique()];
    await logout({ sid, sub });
    const c = callback(sub, sid);
    await c.write();
    await expect(c.note()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(await c.exists()).toBe(false);
  });

  it('an ordinary logout, with no session opened within the allowance, looks once and does not wait', async () => {
    const [sub, sid] = [unique(), unique()];
    const c = callback(sub, sid);
    await c.write();
    await c.note(Date.now() - domain.races.INDEX_LAG_ALLOWANCE_MS - 1);
    unreplicated.clear();
    expect(await logout({ sid })).toBe(1);
    expect(pauses).toEqual([]);
  });

  it('a session opened just now for another IdP session does not make the logout wait', async () => {
    const sub = unique();
    const other = callback(sub, unique());
    await other.write();
    await other.note();
    expect(await logout({ sid: unique(), sub })).toBe(0);
    expect(pauses).toEqual([]);
    expect(await other.exists()).toBe(true);
  });
});
