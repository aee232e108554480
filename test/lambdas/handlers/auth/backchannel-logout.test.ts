import { randomBytes } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair } from 'jose';
import { sha256 } from '../../../../lambdas/shared/crypto';
import { httpEvent } from '../../../support/api-event';
import { type FakeIdp, startFakeIdp, unsignedJwt } from '../../../support/fake-idp';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

const CLIENT_ID = 'guichet-under-test';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let idp: FakeIdp;
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/backchannel-logout').handler;
let dynamo: typeof import('../../../../lambdas/shared/dynamo');

beforeAll(async () => {
  idp = await startFakeIdp();
  integration = await startIntegration({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'secret' });
  ({ handler } = await import('../../../../lambdas/handlers/auth/backchannel-logout'));
  dynamo = await import('../../../../lambdas/shared/dynamo');
});
afterAll(async () => {
  await integration?.guichet.close();
  await idp?.close();
});

const scoped = (value: string) => JSON.stringify([idp.issuer, value]);
const unique = () => randomBytes(8).toString('hex');

/** A session of `sub` (and of IdP session `sid`) at the fake IdP. */
async function sessionOf(sub: string, sid?: string) {
  return storedSession(integration.store, {
    issuer: idp.issuer,
    sub,
    subjectKey: scoped(sub),
    ...(sid === undefined ? {} : { sid, idpSessionKey: scoped(sid) }),
  });
}

const exists = async (session: { id: string }) => (await integration.store.get('sessions', session.id)) !== undefined;

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: idp.issuer, aud: CLIENT_ID, iat: now, exp: now + 120, jti: unique(), events: { [EVENT]: {} }, ...overrides };
}

function deliver(body: string, contentType = 'application/x-www-form-urlencoded') {
  return invoke(handler, httpEvent({ method: 'POST', path: '/auth/backchannel-logout', headers: { 'content-type': contentType }, body }));
}
const deliverToken = (token: string) => deliver(new URLSearchParams({ logout_token: token }).toString());

describe('POST /auth/backchannel-logout accepts', () => {
  it('a sid-only token: ends that IdP session only, 200 with an empty body and no-store', async () => {
    const sub = unique();
    const [target, sibling] = [await sessionOf(sub, 'sid-a'), await sessionOf(sub, 'sid-b')];
    const result = await deliverToken(await idp.sign(claims({ sid: 'sid-a' })));
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    expect(result.headers!['Cache-Control']).toBe('no-store');
    expect(await exists(target)).toBe(false);
    expect(await exists(sibling)).toBe(true);
  });

  it("a sub-only token: ends every session of that user and nobody else's", async () => {
    const [sub, other] = [unique(), unique()];
    const mine = [await sessionOf(sub, unique()), await sessionOf(sub), await sessionOf(sub, unique())];
    const theirs = await sessionOf(other);
    expect((await deliverToken(await idp.sign(claims({ sub })))).statusCode).toBe(200);
    for (const session of mine) expect(await exists(session)).toBe(false);
    expect(await exists(theirs)).toBe(true);
  });

  it('a token with sid and sub: ends the sessions of that sid that belong to that sub', async () => {
    const sid = unique();
    const [sub, other] = [unique(), unique()];
    const matching = await sessionOf(sub, sid);
    const foreign = await sessionOf(other, sid);
    expect((await deliverToken(await idp.sign(claims({ sid, sub })))).statusCode).toBe(200);
    expect(await exists(matching)).toBe(false);
    expect(await exists(foreign)).toBe(true);
  });

  it('a token with typ logout+jwt, an audience array and unknown extra claims', async () => {
    const sub = unique();
    const session = await sessionOf(sub);
    const token = await idp.sign(claims({ sub, aud: ['another-rp', CLIENT_ID], extra: { any: 'thing' } }), { typ: 'logout+jwt' });
    expect((await deliverToken(token)).statusCode).toBe(200);
    expect(await exists(session)).toBe(false);
  });
});

describe('POST /auth/backchannel-logout refuses, ending nothing,', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, (sub: string) => Promise<string>]> = [
    [
      'a tampered payload (bad signature)',
      async (sub) => {
        const [header, , signature] = (await idp.sign(claims({ sub: 'someone-else' }))).split('.');
        return `${header}.${Buffer.from(JSON.stringify(claims({ sub }))).toString('base64url')}.${signature}`;
      },
    ],
    ['a foreign key', async (sub) => idp.sign(claims({ sub }), {}, (await generateKeyPair('RS256')).privateKey)],
    ['alg none', async (sub) => unsignedJwt({}, claims({ sub }))],
    [
      'HS256 keyed with the public key',
      async (sub) => {
        const { SignJWT } = await import('jose');
        return new SignJWT(claims({ sub }))
          .setProtectedHeader({ alg: 'HS256', kid: 'idp-key' })
          .sign(new TextEncoder().encode(JSON.stringify(idp.publicJwk)));
      },
    ],
    ['a wrong typ', async (sub) => idp.sign(claims({ sub }), { typ: 'JWT' })],
    ['a wrong iss', async (sub) => idp.sign(claims({ sub, iss: 'https://evil.example' }))],
    ['a wrong aud', async (sub) => idp.sign(claims({ sub, aud: 'another-rp' }))],
    ['an expired token', async (sub) => idp.sign(claims({ sub, iat: now() - 600, exp: now() - 120 }))],
    ['an iat in the future', async (sub) => idp.sign(claims({ sub, iat: now() + 600, exp: now() + 900 }))],
    ['an iat older than a day', async (sub) => idp.sign(claims({ sub, iat: now() - 90_000, exp: now() + 60 }))],
    ['no jti', async (sub) => idp.sign(claims({ sub, jti: undefined }))],
    ['no events', async (sub) => idp.sign(claims({ sub, events: undefined }))],
    ['an event that is not an object', async (sub) => idp.sign(claims({ sub, events: { [EVENT]: 'logout' } }))],
    ['events as an array', async (sub) => idp.sign(claims({ sub, events: [EVENT] }))],
    ['neither sid nor sub', async () => idp.sign(claims())],
    ['a nonce', async (sub) => idp.sign(claims({ sub, nonce: 'n' }))],
    ['an oversized token', async (sub) => idp.sign(claims({ sub, padding: 'x'.repeat(9000) }))],
    ['something that is not a JWT', async () => 'not.a.jwt'],
  ];

  it.each(cases)('%s', async (_, make) => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const sub = unique();
    const session = await sessionOf(sub, unique());
    const result = await deliverToken(await make(sub));
    expect(result.statusCode).toBe(400);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    expect(jsonBody(result).error).toBe('invalid_request');
    expect(await exists(session)).toBe(true);
    expect(addMetric.mock.calls.map(([name]) => name)).toContain('LogoutTokenRejected');
    addMetric.mockRestore();
  });

  it('a replayed jti', async () => {
    const sub = unique();
    const token = await idp.sign(claims({ sub }));
    expect((await deliverToken(token)).statusCode).toBe(200);
    const again = await sessionOf(sub);
    expect((await deliverToken(token)).statusCode).toBe(400);
    expect(await exists(again)).toBe(true);
  });

  it.each([
    ['a JSON body', JSON.stringify({ logout_token: 'x' }), 'application/json'],
    ['no logout_token', 'other=1', 'application/x-www-form-urlencoded'],
    ['two logout_tokens', 'logout_token=a&logout_token=b', 'application/x-www-form-urlencoded'],
  ])('%s with 400', async (_, body, contentType) => {
    expect((await deliver(body, contentType)).statusCode).toBe(400);
  });
});

describe('POST /auth/backchannel-logout under stress', () => {
  it('lets exactly one of 10 simultaneous deliveries of one token through, round after round', async () => {
    for (let round = 0; round < 5; round += 1) {
      const sub = unique();
      await sessionOf(sub);
      const token = await idp.sign(claims({ sub }));
      const results = await Promise.all(Array.from({ length: 10 }, () => deliverToken(token)));
      expect(results.filter((result) => result.statusCode === 200)).toHaveLength(1);
      expect(results.filter((result) => result.statusCode === 400)).toHaveLength(9);
    }
  });

  it('releases the jti when ending the sessions fails, so the retry succeeds', async () => {
    const sub = unique();
    const session = await sessionOf(sub);
    const token = await idp.sign(claims({ sub }));
    const send = dynamo.documentClient.send.bind(dynamo.documentClient);
    const failing = jest.spyOn(dynamo.documentClient, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof QueryCommand) return Promise.reject(new Error('DynamoDB is unavailable'));
      return send(command as never);
    }) as typeof dynamo.documentClient.send);
    expect((await deliverToken(token)).statusCode).toBe(500);
    failing.mockRestore();
    expect(await exists(session)).toBe(true);
    expect((await deliverToken(token)).statusCode).toBe(200);
    expect(await exists(session)).toBe(false);
  });

  it("costs the same DynamoDB operations with 10 or 10,000 other users' sessions", async () => {
    const operationsToEnd = async () => {
      const sub = unique();
      await sessionOf(sub);
      await sessionOf(sub);
      const token = await idp.sign(claims({ sub }));
      const spy = jest.spyOn(dynamo.documentClient, 'send');
      expect((await deliverToken(token)).statusCode).toBe(200);
      const operations = spy.mock.calls.map(([command]) => command.constructor.name);
      spy.mockRestore();
      return operations;
    };
    const others = (count: number) =>
      Array.from({ length: count }, () => {
        const sub = unique();
        return { id: sha256(unique()), issuer: idp.issuer, sub, subjectKey: scoped(sub), createdAt: 0, expiresAt: 4102444800 };
      });

    await integration.store.putMany('sessions', others(10));
    const withFew = await operationsToEnd();
    await integration.store.putMany('sessions', others(9_990));
    const withMany = await operationsToEnd();

    expect(withMany).toEqual(withFew);
    expect(withFew).toEqual(['PutCommand', 'UpdateCommand', 'QueryCommand', 'DeleteCommand', 'DeleteCommand']);
  }, 120_000);
});
