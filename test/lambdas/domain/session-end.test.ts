import { DEFAULT_TIMEOUT_SECONDS, ROUTES } from '../../../lambdas/routes';
import { type Integration, startIntegration } from '../../support/integration';
import { storedSession } from '../../support/sessions';

/**
 * The end of a session and its logout deliveries, against the local DynamoDB engine and the local SQS: one
 * conditional write ends the session and files its deliveries in the outbox, the deliveries are queued, the outbox
 * cleared; what a crash or SQS leaves behind, the sweeper queues after the grace period.
 */
let integration: Integration;
let sessionEnd: typeof import('../../../lambdas/domain/session-end');
let audiences: typeof import('../../../lambdas/domain/logout-audiences');
let sessions: typeof import('../../../lambdas/repositories/sessions');

const PRODUCT = 'https://api.product.example';
const OTHER = 'https://api.other.example';
const config = { backchannelLogoutUris: { [PRODUCT]: 'https://api.product.example/logout', [OTHER]: 'https://api.other.example/logout' } };

beforeAll(async () => {
  integration = await startIntegration({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'guichet' });
  sessionEnd = await import('../../../lambdas/domain/session-end');
  audiences = await import('../../../lambdas/domain/logout-audiences');
  sessions = await import('../../../lambdas/repositories/sessions');
});
afterAll(() => integration?.guichet.close());
afterEach(() => {
  integration.guichet.account.clearFaults();
  jest.restoreAllMocks();
});

const queued = () => {
  const queue = integration.guichet.sqs.queueByArn('arn:aws:sqs:eu-west-1:000000000000:guichet-integration-logoutDeliveries')!;
  return queue.messages.splice(0).map((message) => JSON.parse(message.body) as Record<string, unknown>);
};
const failSqs = (operation: string) =>
  integration.guichet.account.injectFault({
    service: 'sqs',
    operation,
    error: { type: 'InternalError', status: 500, message: 'injected' },
  });
const failUpdates = () =>
  integration.guichet.account.injectFault({
    service: 'dynamodb',
    operation: 'UpdateItem',
    error: { type: 'InternalServerError', status: 500, message: 'injected' },
  });

/** A session that was issued tokens for these audiences, as the token endpoints record them. */
async function sessionWithTokensFor(...issued: string[]) {
  const { token, id } = await storedSession(integration.store, { idToken: 'the.id.token', idpSessionKey: 'idp-session' });
  for (const audience of issued) {
    const session = (await sessions.findSession(id))!;
    expect(await audiences.recordTokenAudience(session, audience, config)).toBe(true);
  }
  return { token, id };
}

describe('which audiences a session remembers', () => {
  it('only those with a back-channel logout endpoint, each once, without a write when the session read has it', async () => {
    const { id } = await sessionWithTokensFor(PRODUCT, OTHER);
    const session = (await sessions.findSession(id))!;
    expect(session.logoutAudiences).toEqual(new Set([PRODUCT, OTHER]));

    failUpdates();
    expect(await audiences.recordTokenAudience(session, PRODUCT, config)).toBe(true);
    expect(await audiences.recordTokenAudience(session, 'https://api.unregistered.example', config)).toBe(true);
    await expect(audiences.recordTokenAudience({ ...session, logoutAudiences: undefined }, PRODUCT, config)).rejects.toThrow('injected');
  });

  it('refuses to record an audience on a session that has ended, so that no token is minted from it', async () => {
    const { id } = await sessionWithTokensFor();
    const session = (await sessions.findSession(id))!;
    await sessionEnd.endSession(id, 'logout');
    expect(await audiences.recordTokenAudience(session, PRODUCT, config)).toBe(false);
    expect(await integration.store.get('sessions', id)).toBeUndefined();
  });
});

describe('the end of a session', () => {
  it('deletes a session that owes no delivery, in one write, and queues nothing', async () => {
    const { id } = await sessionWithTokensFor();
    expect(await sessionEnd.endSession(id, 'logout')).toMatchObject({ id, sub: 'erin', idToken: 'the.id.token' });
    expect(await integration.store.get('sessions', id)).toBeUndefined();
    expect(queued()).toEqual([]);
  });

  it('queues one delivery per remembered audience, with the public sid, then clears the outbox', async () => {
    const { id } = await sessionWithTokensFor(PRODUCT, OTHER);
    const ended = await sessionEnd.endSession(id, 'backchannel');
    expect(ended?.logoutAudiences).toEqual(new Set([PRODUCT, OTHER]));
    const sid = (await import('../../../lambdas/domain/public-session-id')).publicSessionId(id);
    expect(queued().sort((a, b) => String(a.audience).localeCompare(String(b.audience)))).toEqual([
      { audience: OTHER, sub: 'erin', sid, endedAt: expect.any(Number) },
      { audience: PRODUCT, sub: 'erin', sid, endedAt: expect.any(Number) },
    ]);
    expect(await integration.store.get('sessions', id)).toBeUndefined();
  });

  it('ends a session once under any concurrency: one caller ends it and queues its deliveries', async () => {
    const { id } = await sessionWithTokensFor(PRODUCT);
    const endings = await Promise.all(Array.from({ length: 5 }, () => sessionEnd.endSession(id, 'backchannel')));
    expect(endings.filter(Boolean)).toHaveLength(1);
    expect(queued()).toHaveLength(1);
  });

  it("ends another user's session in nothing when the back-channel logout names a sub", async () => {
    const { id } = await sessionWithTokensFor(PRODUCT);
    expect(await sessionEnd.endSession(id, 'backchannel', JSON.stringify(['https://idp.test', 'someone-else']))).toBeUndefined();
    expect(await sessions.findSession(id)).toBeDefined();
  });

  it('leaves, when SQS fails, an ended session in the outbox: gone for every reader, stripped of what opens anything', async () => {
    const { id } = await sessionWithTokensFor(PRODUCT);
    failSqs('SendMessageBatch');
    expect(await sessionEnd.endSession(id, 'logout')).toBeDefined();
    expect(await sessions.findSession(id)).toBeUndefined();
    const left = await integration.store.get('sessions', id);
    expect(left).toEqual({
      id,
      sub: 'erin',
      flow: 'web',
      issuer: 'https://idp.test',
      createdAt: expect.any(Number),
      endedAt: expect.any(Number),
      expiresAt: (left!.endedAt as number) + 86_400,
      logoutOutbox: expect.stringMatching(/^pending#[0-7]$/),
      logoutAudiences: new Set([PRODUCT]),
    });
    expect(queued()).toEqual([]);
    await integration.store.remove('sessions', id);
  });

  it("the sweeper's grace period outlasts every function that ends sessions: it never races a live one", () => {
    const ending = ROUTES.filter((route) => route.queues?.logoutDeliveries?.includes('SendMessage'));
    expect(ending.map((route) => route.id).sort()).toEqual(['AuthBackchannelLogout', 'AuthLogout']);
    for (const route of ending)
      expect(route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS).toBeLessThan(sessionEnd.LOGOUT_OUTBOX_GRACE_SECONDS);
  });

  it('the sweeper queues what is in the outbox only past the grace period, then clears it', async () => {
    const { id } = await sessionWithTokensFor(PRODUCT);
    failSqs('SendMessageBatch');
    await sessionEnd.endSession(id, 'logout');
    integration.guichet.account.clearFaults();

    expect(await sessionEnd.sweepLogoutOutbox()).toMatchObject({ queued: 0 });
    expect(queued()).toEqual([]);

    const later = Date.now() + (sessionEnd.LOGOUT_OUTBOX_GRACE_SECONDS + 1) * 1000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    expect(await sessionEnd.sweepLogoutOutbox()).toMatchObject({ queued: 1, left: 0 });
    expect(queued()).toEqual([expect.objectContaining({ audience: PRODUCT, sub: 'erin' })]);
    expect(await integration.store.get('sessions', id)).toBeUndefined();
    expect(await sessionEnd.sweepLogoutOutbox()).toMatchObject({ queued: 0 });
  });

  it('the sweeper keeps in the outbox what SQS still refuses, and says so', async () => {
    const { id } = await sessionWithTokensFor(PRODUCT);
    failSqs('SendMessageBatch');
    await sessionEnd.endSession(id, 'logout');
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + (sessionEnd.LOGOUT_OUTBOX_GRACE_SECONDS + 1) * 1000);
    expect(await sessionEnd.sweepLogoutOutbox()).toMatchObject({ queued: 0, left: 1 });
    expect(await integration.store.get('sessions', id)).toMatchObject({ endedAt: expect.any(Number) });
    integration.guichet.account.clearFaults();
    expect(await sessionEnd.sweepLogoutOutbox()).toMatchObject({ queued: 1, left: 0 });
    queued();
  });
});
