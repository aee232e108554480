import type { LocalGuichet } from '../../local/start';
import { startTestGuichet } from '../support/local-guichet';

/**
 * What a function can prepare, it prepares while it initializes (lambdas/shared/init.ts, awaited by the ES module
 * entry of its bundle): a slow secret read shows in the init duration of its cold start, not in its first request.
 */
let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet();
});
afterAll(() => guichet?.close());

const SLOW_MS = 400;
const firstReport = (route: string) =>
  guichet.log.reports.find((report) => report.functionId.startsWith(`${route}Function`) && report.initMs !== undefined);

describe('preparations at init', () => {
  it('read the signing keys before the first request: the JWKS answers it without waiting for Secrets Manager', async () => {
    guichet.account.injectFault({ service: 'secretsmanager', operation: 'GetSecretValue', delayMs: SLOW_MS, times: 1 });
    const response = await fetch(`${guichet.publicUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const report = firstReport('Jwks')!;
    expect(report.initMs).toBeGreaterThanOrEqual(SLOW_MS);
    expect(report.durationMs).toBeLessThan(SLOW_MS);
  });

  it("discover the IdP and its key set before the first logout token: the back-channel logout's first request calls no IdP", async () => {
    const response = await fetch(`${guichet.publicUrl}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: 'not.a.jwt' }).toString(),
    });
    expect(response.status).toBe(400);
    const traced = guichet.log.records.filter(
      (record) => record.functionId.startsWith('AuthBackchannelLogoutFunction') && record.json?.message === 'request traced',
    );
    expect(traced).toHaveLength(1);
    expect(traced[0].json?.dependencies).toEqual([]);
    expect(firstReport('AuthBackchannelLogout')?.initMs).toBeDefined();
  });

  it('let a function start even when a preparation fails, and answer its requests', async () => {
    guichet.account.injectFault({
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      error: { type: 'InternalServiceError', status: 500, message: 'injected' },
      times: 1,
    });
    const token = await fetch(`${guichet.publicUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'app_AAAAAAAAAAAAAAAAAAAAAA',
        client_secret: 'x'.repeat(43),
      }).toString(),
    });
    expect(token.status).toBe(401);
    expect(firstReport('OAuthToken')).toMatchObject({ outcome: 'result' });
  });
});
