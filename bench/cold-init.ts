import { randomBytes } from 'node:crypto';
import { type HttpEventInit, httpEvent } from '../harness/api-events';
import { basicAuthorization } from '../harness/client-credentials';
import type { Bundle } from './bundles';
import type { Floor } from './floors';
import type { BenchFunction, ColdStart, ColdStartRequest } from './guichet-process';
import { BENCH_ADDIN_ORIGIN, type GuichetUnderTest } from './local-guichet';

/** Medians of a function's cold starts, next to its floor's, measured in the same rounds. */
export interface FunctionStartup {
  readonly lambda: string;
  /** False for the functions no HTTP request reaches (the key rotation, the IdP cache refresh): no first-request budget. */
  readonly servesRequests: boolean;
  /** The SDK modules its floor loads (the ones its bundle leaves to the runtime). */
  readonly floorModules: readonly string[];
  readonly runs: readonly ColdStart[];
  readonly floorRuns: readonly ColdStart[];
  /** Lambda's init duration, runtime start included, as the budget reads it. */
  readonly initMs: number;
  readonly floorInitMs: number;
  /** Init over the floor's init. */
  readonly initRatio: number;
  /** The part of init after the runtime's own start (loading the bundle and its preparations), its and its floor's. */
  readonly handlerInitMs: number;
  readonly floorHandlerInitMs: number;
  readonly firstRequestMs: number;
  /** Median of the same request in the same environments once warm. */
  readonly warmMs: number;
  /** First request over warm. */
  readonly firstRequestRatio: number;
  /** The floor's first request over its warm median: what a new environment's first request costs any function. */
  readonly floorFirstRequestRatio: number;
  /** How the first request was answered. */
  readonly answer?: number | string;
}

/** A cold `GET /auth/login` while every answer of the IdP takes IDP_DISTANCE_MS. */
export interface DistantIdpLogin {
  readonly idpDistanceMs: number;
  readonly initMs: number;
  readonly firstRequestMs: number;
  readonly statusCode?: number;
}

export const COLD_INIT_RUNS = 5;
/** The same request again in each new environment, for the warm median. */
export const WARM_RUNS = 9;
export const IDP_DISTANCE_MS = 100;
export const LOGIN_ROUTE_ID = 'AuthLogin';
const ROTATION_ID = 'SigningKeysRotation';
const DELIVERY_ID = 'DownstreamLogoutDelivery';

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
  AuthToken: {
    headers: { origin: new URL(guichet.server.ready.publicUrl).origin, 'x-requested-with': 'guichet' },
    cookies: [`guichet_session=${secret()}`],
  },
  AuthLogout: { headers: { authorization: `Bearer ${secret()}` } },
  AuthBackchannelLogout: form({ logout_token: 'not.a.jwt' }),
  AddinSessionsInit: { headers: { origin: BENCH_ADDIN_ORIGIN } },
  AddinSessionsPoll: { cookies: [`guichet_addons_sid=${secret()}`], headers: { 'x-csrftoken': secret() } },
  AddinSessionsExchange: json({ transit_token: secret() }, { authorization: `Bearer ${secret()}` }),
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
 * the rotation step for the rotation Lambda; a batch of no messages for the queue's consumer; an empty event for any
 * other (a schedule's).
 */
function coldEvent(lambda: BenchFunction, guichet: GuichetUnderTest): unknown {
  if (!lambda.routeKey)
    return lambda.id === ROTATION_ID ? guichet.server.ready.rotationEvent : lambda.id === DELIVERY_ID ? { Records: [] } : {};
  const [method, routePath] = lambda.routeKey.split(' ');
  const event = httpEvent({ method, path: routePath, ...coldRequests(guichet)[lambda.id] });
  if (!lambda.jwtAuthorized) return event;
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: {}, scopes: [] } } } };
}

function coldStart(guichet: GuichetUnderTest, lambda: BenchFunction, event: unknown, warmRuns: number, file?: string): Promise<ColdStart> {
  const request: ColdStartRequest = { logicalId: lambda.logicalId, event, file, warmRuns };
  return guichet.server.request<ColdStart>({ kind: 'coldStart', ...request });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Cold starts of every function in the local runtime (a new execution environment: a process on the pinned
 * Node.js that loads the bundle from the cloud assembly with exactly its template environment), each followed by
 * the same request while warm, and of its floor in the same round, run the same way. The rounds go over every
 * function in turn, so that a slow moment of the machine does not land on one function only.
 */
export async function measureStartups(
  guichet: GuichetUnderTest,
  bundles: readonly Bundle[],
  floors: readonly Floor[],
): Promise<FunctionStartup[]> {
  const modules = (names: readonly string[]) => [...names].sort().join(' ');
  const floorOf = (bundle: Bundle) => floors.find((floor) => modules(floor.runtimeModules) === modules(bundle.runtimeModules))!;
  const runs = bundles.map((): { own: ColdStart[]; floor: ColdStart[] } => ({ own: [], floor: [] }));
  for (let round = 0; round < COLD_INIT_RUNS; round += 1) {
    for (const [index, { lambda }] of bundles.entries()) {
      runs[index].floor.push(await coldStart(guichet, lambda, coldEvent(lambda, guichet), WARM_RUNS, floorOf(bundles[index]).file));
      runs[index].own.push(await coldStart(guichet, lambda, coldEvent(lambda, guichet), WARM_RUNS));
    }
  }
  return bundles.map((bundle, index) => {
    const { own, floor } = runs[index];
    const initMs = median(own.map((run) => run.initMs));
    const floorInitMs = median(floor.map((run) => run.initMs));
    const handlerInitMs = median(own.map((run) => run.handlerInitMs));
    const floorHandlerInitMs = median(floor.map((run) => run.handlerInitMs));
    const firstRequestMs = median(own.map((run) => run.firstRequestMs));
    const warmMs = median(own.flatMap((run) => run.warmMs));
    return {
      lambda: bundle.lambda.id,
      servesRequests: bundle.lambda.routeKey !== undefined,
      floorModules: floorOf(bundle).runtimeModules,
      runs: own,
      floorRuns: floor,
      initMs,
      floorInitMs,
      initRatio: initMs / floorInitMs,
      handlerInitMs,
      floorHandlerInitMs,
      firstRequestMs,
      warmMs,
      firstRequestRatio: firstRequestMs / warmMs,
      floorFirstRequestRatio: median(floor.map((run) => run.firstRequestMs)) / median(floor.flatMap((run) => run.warmMs)),
      answer: own[0].error ?? own[0].statusCode,
    };
  });
}

/** Cold starts of the login route with the IdP IDP_DISTANCE_MS away: what a login costs a new environment. */
export async function measureDistantIdpLogin(guichet: GuichetUnderTest): Promise<DistantIdpLogin> {
  const login = guichet.server.ready.functions.find((lambda) => lambda.id === LOGIN_ROUTE_ID);
  if (!login) throw new Error(`no ${LOGIN_ROUTE_ID} function`);
  guichet.idp.answerAfter(IDP_DISTANCE_MS);
  try {
    const runs: ColdStart[] = [];
    for (let round = 0; round < COLD_INIT_RUNS; round += 1) runs.push(await coldStart(guichet, login, coldEvent(login, guichet), 0));
    return {
      idpDistanceMs: IDP_DISTANCE_MS,
      initMs: median(runs.map((run) => run.initMs)),
      firstRequestMs: median(runs.map((run) => run.firstRequestMs)),
      statusCode: runs[0].statusCode,
    };
  } finally {
    guichet.idp.answerAfter(0);
  }
}
