import { randomBytes } from 'node:crypto';
import { storedSession } from '../harness/sessions';
import { sha256 } from '../lambdas/shared/crypto';
import { type OperationCounts, operationsPerRequest } from './dynamodb-operations';
import { keepAliveAgent, operationCounts, percentile, timedRequest } from './http-load';
import type { GuichetUnderTest } from './local-guichet';

export interface LogoutRun {
  /** Sessions of other users in the table while the logouts ran. */
  readonly otherSessions: number;
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  /** Per delivery; each logout ends the two sessions of one user. */
  readonly operations: OperationCounts;
}

export interface LogoutScale {
  readonly few: LogoutRun;
  readonly many: LogoutRun;
  /** p50 with many other sessions over p50 with few. */
  readonly ratio: number;
}

export const LOGOUT_ROUTE = 'POST /auth/backchannel-logout';
const FEW = 10;
const MANY = 10_000;
const WARMUP_DELIVERIES = 10;
const DELIVERIES = 50;
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Back-channel logout latency on the local server with 10, then 10,000, other users' sessions in the table
 * (written with BatchWriteItem). Each delivery is a fresh logout token, by `sub`, for a user with two sessions.
 */
export async function measureLogoutScale(guichet: GuichetUnderTest): Promise<LogoutScale> {
  const agent = keepAliveAgent();
  const unique = () => randomBytes(8).toString('hex');
  const scoped = (value: string) => JSON.stringify([guichet.idp.issuer, value]);
  const otherSessions = (count: number) =>
    Array.from({ length: count }, () => {
      const sub = unique();
      return { id: sha256(unique()), issuer: guichet.idp.issuer, sub, subjectKey: scoped(sub), createdAt: 0, expiresAt: 4102444800 };
    });

  const deliver = async (): Promise<number> => {
    const sub = unique();
    for (let i = 0; i < 2; i += 1) await storedSession(guichet.store, { issuer: guichet.idp.issuer, sub, subjectKey: scoped(sub) });
    const now = Math.floor(Date.now() / 1000);
    const token = await guichet.idp.sign({
      iss: guichet.idp.issuer,
      aud: guichet.oidcClientId,
      iat: now,
      exp: now + 120,
      jti: unique(),
      sub,
      events: { [LOGOUT_EVENT]: {} },
    });
    const answer = await timedRequest(
      {
        name: LOGOUT_ROUTE,
        url: `${guichet.server.ready.publicUrl}/auth/backchannel-logout`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        expectedStatus: 200,
      },
      agent,
    );
    if (answer.status !== 200) throw new Error(`back-channel logout answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return answer.ms;
  };

  const run = async (others: number): Promise<LogoutRun> => {
    const before = await operationCounts(guichet.server);
    const latencies: number[] = [];
    for (let i = 0; i < DELIVERIES; i += 1) latencies.push(await deliver());
    const after = await operationCounts(guichet.server);
    latencies.sort((a, b) => a - b);
    return {
      otherSessions: others,
      deliveries: DELIVERIES,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      operations: operationsPerRequest(before, after, DELIVERIES),
    };
  };

  try {
    await guichet.store.putMany('sessions', otherSessions(FEW));
    // The first deliveries fetch the IdP's discovery document and keys.
    for (let i = 0; i < WARMUP_DELIVERIES; i += 1) await deliver();
    const few = await run(FEW);
    await guichet.store.putMany('sessions', otherSessions(MANY - FEW));
    const many = await run(MANY);
    return { few, many, ratio: many.p50Ms / few.p50Ms };
  } finally {
    agent.destroy();
  }
}
