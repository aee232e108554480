import { randomBytes } from 'node:crypto';
import { httpEvent, type HttpEventInit } from '../harness/api-events';
import { basicAuthorization } from '../harness/client-credentials';
import type { BenchFunction, ColdStart } from './guichet-process';
import type { GuichetUnderTest } from './local-guichet';

export interface ColdInitRun extends ColdStart {
  readonly totalMs: number;
}

export interface ColdInit {
  readonly lambda: string;
  /** False for the functions no HTTP request reaches (the key rotation, the IdP cache refresh): no first-request budget. */
  readonly servesRequests: boolean;
  readonly runs: readonly ColdInitRun[];
  /** The run with the median total. */
  readonly median: ColdInitRun;
}

/** A cold `GET /auth/login` while every answer of the IdP takes IDP_DISTANCE_MS. */
export interface DistantIdpLogin {
  readonly idpDistanceMs: number;
  readonly runs: readonly ColdInitRun[];
  readonly median: ColdInitRun;
}

export const COLD_INIT_RUNS = 5;
export const IDP_DISTANCE_MS = 100;
export const LOGIN_ROUTE_ID = 'AuthLogin';
const ROTATION_ID = 'SigningKeysRotation';

const secret = () => randomBytes(32).toString('base64url');
const form = (fields: Record<string, string>): HttpEventInit => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const json = (body: Record<string, string>, headers: Record<string, string> = {}): HttpEventInit => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * The first request of each route: cheap, without valid credentials, but through the handler's main path where
 * one is cheap (so the SDK client and the IdP discovery are part of the cold start); the token endpoint's is a
 * real client-credentials grant, signature included. Routes not named here get their bare method and path.
 */
const coldRequests = (guichet: GuichetUnderTest): Readonly<Record<string, HttpEventInit>> => ({
  AuthCallback: { query: `code=${secret()}&state=${secret()}` },
  AuthSessionExchange: json({ code: secret(), code_verifier: secret() }),
  AuthSession: { headers: { authorization: `Bearer ${secret()}` } },
  AuthToken: { headers: { origin: new URL(guichet.server.ready.publicUrl).origin, 'x-requested-with': 'guichet' }, cookies: [`guichet_session=${secret()}`] },
  AuthLogout: { headers: { authorization: `Bearer ${secret()}` } },
  AuthBackchannelLogout: form({ logout_token: 'not.a.jwt' }),
  AddonsSessionsPoll: { cookies: [`guichet_addons_sid=${secret()}`], headers: { 'x-csrftoken': secret() } },
  AddonsSessionsExchange: json({ transit_token: secret() }, { authorization: `Bearer ${secret()}` }),
  OAuthToken: {
    ...form({ grant_type: 'client_credentials', scope: guichet.application.scope }),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuthorization(guichet.application.clientId, guichet.application.clientSecret),
    },
  },
  ExternalApiMe: { headers: { authorization: 'Bearer not-a-jwt' } },
});

/**
 * The first event of a function: its route's request; behind a JWT authorizer, with the context API Gateway adds
 * (no claims: the authorizer would have refused a token without them, so the handler sees what it never would);
 * the rotation step for the rotation Lambda; an empty event for any other (a schedule's).
 */
function coldEvent(lambda: BenchFunction, guichet: GuichetUnderTest): unknown {
  if (!lambda.routeKey) return lambda.id === ROTATION_ID ? guichet.server.ready.rotationEvent : {};
  const [method, routePath] = lambda.routeKey.split(' ');
  const event = httpEvent({ method, path: routePath, ...coldRequests(guichet)[lambda.id] });
  if (!lambda.jwtAuthorized) return event;
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: {}, scopes: [] } } } };
}

async function coldStart(guichet: GuichetUnderTest, lambda: BenchFunction): Promise<ColdInitRun> {
  const run = await guichet.server.request<ColdStart>({ kind: 'coldStart', logicalId: lambda.logicalId, event: coldEvent(lambda, guichet) });
  return { ...run, totalMs: run.initMs + run.firstRequestMs };
}

function medianBy<T>(values: readonly T[], key: (value: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)];
}

/**
 * Cold start of every function in the local runtime (a new execution environment: a worker thread that loads the
 * bundle from the cloud assembly with exactly its template environment), then its first request. The runs go
 * round-robin over the functions, so a slow moment of the machine does not land on one function only.
 */
export async function measureColdInit(guichet: GuichetUnderTest): Promise<ColdInit[]> {
  const { functions } = guichet.server.ready;
  const runs = functions.map((): ColdInitRun[] => []);
  for (let round = 0; round < COLD_INIT_RUNS; round += 1) {
    for (const [index, lambda] of functions.entries()) runs[index].push(await coldStart(guichet, lambda));
  }
  return functions.map((lambda, index) => ({
    lambda: lambda.id,
    servesRequests: lambda.routeKey !== undefined,
    runs: runs[index],
    median: medianBy(runs[index], (run) => run.totalMs),
  }));
}

/** Cold starts of the login route with the IdP IDP_DISTANCE_MS away: what a login costs a new environment. */
export async function measureDistantIdpLogin(guichet: GuichetUnderTest): Promise<DistantIdpLogin> {
  const login = guichet.server.ready.functions.find((lambda) => lambda.id === LOGIN_ROUTE_ID);
  if (!login) throw new Error(`no ${LOGIN_ROUTE_ID} function`);
  guichet.idp.answerAfter(IDP_DISTANCE_MS);
  try {
    const runs: ColdInitRun[] = [];
    for (let round = 0; round < COLD_INIT_RUNS; round += 1) runs.push(await coldStart(guichet, login));
    return { idpDistanceMs: IDP_DISTANCE_MS, runs, median: medianBy(runs, (run) => run.totalMs) };
  } finally {
    guichet.idp.answerAfter(0);
  }
}
