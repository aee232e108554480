import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { DEFAULT_THROTTLE, ROUTES, type RouteThrottle } from '../lambdas/routes';
import { SETTINGS, type Setting } from '../lambdas/settings';
import { FORBIDDEN_NATIVE_SCHEMES } from '../lambdas/shared/config';
import {
  apiAudiencesProblems,
  audienceScopes,
  corsOriginProblem,
  issuerProblem,
  logoutDeliveryMaxAgeProblem,
  userTokenTtlProblem,
  type ApiAudienceValue,
} from '../lambdas/shared/setting-rules';
import type { SigningAlgorithm } from '../lambdas/shared/signing-algorithms';

/**
 * The algorithms the signing-keys rotation Lambda generates. The handlers' own list lives with jose, which the CDK
 * app has no reason to load; a test keeps the two equal.
 */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const satisfies readonly SigningAlgorithm[];

/** The value each kind of setting has once read from context. */
interface SettingValues {
  readonly text: string;
  readonly number: number;
  readonly list: readonly string[];
  readonly json: object;
}

/** One optional prop per entry of the settings table, named by its context key. */
type SettingProps = { readonly [S in Setting as S['contextKey']]?: SettingValues[S['kind']] };

/**
 * What an operator configures: the settings of the table, which the stack hands to the Lambdas (redeclared
 * below where a prop needs a word or a narrower type; one that contradicts the table does not compile), and
 * the deploy-time ones. Each optional value left unset lets the handlers or the stack apply their own default.
 */
export interface GuichetProps extends SettingProps {
  /** Upstream IdP issuer: an https URL (http on a loopback host) without query or fragment. */
  readonly oidcIssuer: string;
  readonly oidcClientId: string;
  /** Space-separated scopes asked at login. */
  readonly oidcScopes?: string;
  /** Bare origins (`https://app.example.com`) a web login may return to. */
  readonly returnToOrigins?: readonly string[];
  /** Custom URL schemes native apps may be sent back to. */
  readonly nativeAppRedirectSchemes?: readonly string[];
  /** Failed session exchanges one client address may make per window before it gets 429. */
  readonly sessionExchangeFailureLimit?: number;
  /** Add-in sessions opened, and failed add-in confirmations, one client address may make per window. */
  readonly addonsRateLimit?: number;
  /** Add-in polls one client address may make per add-in window. */
  readonly addonsPollLimit?: number;
  /** Long polls one client address may start per 20 s; beyond, its polls are answered at once. */
  readonly addonsLongPollLimit?: number;
  /** Logins one client address may start per window. */
  readonly loginRateLimit?: number;
  /** Failed token requests one client address may make per window before it gets 429. */
  readonly tokenFailureLimit?: number;
  /** How long a Lambda keeps the signing keys, and verifiers may cache the JWKS. */
  readonly signingKeysCacheSeconds?: number;
  /** Exact browser origins (`https://app.example.com`) allowed to call guichet with credentials. */
  readonly corsOrigins?: readonly string[];
  /**
   * Product-API audience URI → the scopes a user token for it may carry, or `{ scopes, backchannel_logout_uri }` for
   * an API told of every session that ends after it was issued a token (https; loopback http with
   * allowLoopbackEndpoints only).
   */
  readonly apiAudiences?: Readonly<Record<string, ApiAudienceValue>>;
  /** How long a downstream back-channel logout is retried, at most a week. @default 86400 */
  readonly logoutDeliveryMaxAgeSeconds?: number;
  /** Lifetime of user tokens, at most an hour. */
  readonly userTokenTtlSeconds?: number;
  /** Lets endpoints chosen by others (logout URIs, `jwks_uri`) be on loopback: for local mode, never a deploy. */
  readonly allowLoopbackEndpoints?: 'true' | 'false';
  /** Reserved concurrency of the add-in poll Lambda, which holds long polls; unset, the stack chooses. */
  readonly pollReservedConcurrency?: number;
  /**
   * Algorithm of the keys the rotation Lambda generates. API Gateway's JWT authorizer verifies RSA signatures
   * only, so ES256 leaves `guichetTokenAuthorizer` unusable.
   * @default 'RS256'
   */
  readonly signingAlgorithm?: SigningAlgorithm;
  /**
   * Failed client authentications at the token endpoint, summed over 5 minutes, that raise the alarm.
   * @default 50
   */
  readonly authFailureAlarmThreshold?: number;
  /** Rejected back-channel logout tokens in 5 minutes that raise an alarm. @default 20 */
  readonly logoutRejectionAlarmThreshold?: number;
  /** Requests failed by a dependency (IdP, DynamoDB, Secrets Manager) in 5 minutes that raise an alarm. @default 10 */
  readonly dependencyFailureAlarmThreshold?: number;
  /** Share of the API's requests answered 5xx over 5 minutes, in percent, that raises an alarm. @default 5 */
  readonly serverErrorRateAlarmPercent?: number;
  /** Every alarm notifies this address, through an SNS topic the stack creates; unset, alarms have no action. */
  readonly alarmEmail?: string;
  /** Stage throttling of the routes the route table gives none of their own. @default DEFAULT_THROTTLE */
  readonly defaultThrottle?: RouteThrottle;
  /** Stage throttling by route id, replacing the route table's and the default. */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
  /** Serve the API on this domain; the certificate must be in the stack's region. */
  readonly customDomain?: CustomDomainProps;
  /**
   * Adds the example of a product API: one route that accepts user tokens for this audience (one of
   * `apiAudiences`) carrying this scope, checked by `guichetTokenAuthorizerFor`, with no code of guichet's.
   */
  readonly exampleProductApi?: ExampleProductApiProps;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export interface ExampleProductApiProps {
  readonly audience: string;
  readonly scope: string;
}

export interface CustomDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
}

const ROUTE_IDS = ROUTES.map((route) => route.id);
const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((days) => typeof days === 'number');
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** The deploy-time numeric props that, like every number setting of the table, are positive whole numbers. */
const DEPLOY_NUMBER_KEYS = [
  'authFailureAlarmThreshold',
  'logoutRejectionAlarmThreshold',
  'dependencyFailureAlarmThreshold',
  'pollReservedConcurrency',
] as const;

/** A Region's default concurrency quota: more cannot be reserved for one function without a quota increase. */
const MAX_POLL_RESERVED_CONCURRENCY = 1000;

/** Lifetimes in seconds, rate limits and alarm thresholds. */
const NUMBER_KEYS = [
  ...SETTINGS.filter((setting) => setting.kind === 'number').map((setting) => setting.contextKey),
  ...DEPLOY_NUMBER_KEYS,
];

/** A configuration the stack cannot be built from; the message names every problem, for the operator to read as is. */
export class GuichetConfigError extends Error {
  constructor(
    readonly missingKeys: readonly RequiredContextKey[],
    readonly problems: readonly string[],
  ) {
    super(configurationMessage(missingKeys, problems));
    this.name = 'GuichetConfigError';
  }
}

export type RequiredContextKey = Extract<Setting, { required: true }>['contextKey'];

/** What to pass for each required key, in the message that says it is missing. */
const REQUIRED_KEY_EXAMPLES: Readonly<Record<RequiredContextKey, string>> = {
  oidcIssuer: 'https://...',
  oidcClientId: '...',
};

const REQUIRED_KEYS = Object.keys(REQUIRED_KEY_EXAMPLES) as RequiredContextKey[];

function configurationMessage(missingKeys: readonly RequiredContextKey[], problems: readonly string[]): string {
  const parts: string[] = [];
  if (missingKeys.length > 0) {
    const examples = missingKeys.map((key) => `-c ${key}=${REQUIRED_KEY_EXAMPLES[key]}`).join(' ');
    const them = missingKeys.length === 1 ? 'it' : 'them';
    parts.push(`guichet: missing context ${missingKeys.join(', ')}: pass ${examples} (or set ${them} in cdk.json)`);
  }
  if (problems.length > 0) parts.push(`Invalid guichet configuration:\n- ${problems.join('\n- ')}`);
  return parts.join('\n');
}

/**
 * Reads the flat context keys (cdk.json or `-c key=value`, where every value arrives as text) and checks them
 * as validateProps does: every missing, unreadable or invalid value is reported in one GuichetConfigError.
 */
export function propsFromContext(node: Node): GuichetProps {
  const context = contextReader(node);
  const settings = Object.fromEntries(SETTINGS.map(({ contextKey, kind }) => [contextKey, context[kind](contextKey)]));
  const { text, number, json } = context;
  const domainName = text('customDomainName');
  const certificateArn = text('certificateArn');
  const throttleRate = number('defaultThrottleRate');
  const throttleBurst = number('defaultThrottleBurst');
  // Values of the wrong shape are cast here and refused by the checks below, with every other problem.
  const props = {
    ...settings,
    ...Object.fromEntries(DEPLOY_NUMBER_KEYS.map((key) => [key, number(key)])),
    signingAlgorithm: text('signingAlgorithm') as SigningAlgorithm | undefined,
    logRetention: number('logRetentionDays') as logs.RetentionDays | undefined,
    routeThrottles: json('routeThrottles') as GuichetProps['routeThrottles'],
    exampleProductApi: json('exampleProductApi') as GuichetProps['exampleProductApi'],
    serverErrorRateAlarmPercent: number('serverErrorRateAlarmPercent'),
    alarmEmail: text('alarmEmail'),
    // One key alone changes that limit only.
    defaultThrottle:
      throttleRate === undefined && throttleBurst === undefined
        ? undefined
        : {
            rateLimit: throttleRate ?? DEFAULT_THROTTLE.rateLimit,
            burstLimit: throttleBurst ?? DEFAULT_THROTTLE.burstLimit,
          },
    customDomain:
      domainName || certificateArn ? { domainName: domainName ?? '', certificateArn: certificateArn ?? '' } : undefined,
  } as GuichetProps;
  throwIfInvalid(props, context.problems);
  return props;
}

/** Throws at synth time what would otherwise make every Lambda fail its first invocation. */
export function validateProps(props: GuichetProps): void {
  throwIfInvalid(props, []);
}

function throwIfInvalid(props: GuichetProps, unreadable: readonly string[]): void {
  // A blank required prop is as missing as an absent one; either way the value checks below skip it.
  const missingKeys = REQUIRED_KEYS.filter((key) => !props[key]?.trim());
  const problems = [...unreadable, ...valueProblems(props)];
  if (missingKeys.length > 0 || problems.length > 0) throw new GuichetConfigError(missingKeys, problems);
}

/** Reads context values as `-c` gives them (text) or as cdk.json does (JSON values), noting each it cannot read. */
function contextReader(node: Node) {
  const problems: string[] = [];
  const given = (key: string): unknown => {
    const value: unknown = node.tryGetContext(key);
    return value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;
  };
  const text = (key: string): string | undefined => {
    const value = given(key);
    if (value === undefined || typeof value === 'string') return value?.trim();
    problems.push(`${key} must be text, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const number = (key: string): number | undefined => {
    const value = given(key);
    if (value === undefined || typeof value === 'number') return value;
    if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
    problems.push(`${key} must be a number, got ${JSON.stringify(value)}`);
    return undefined;
  };
  // An empty list is kept, and refused by the checks: unset, not empty, gives the default.
  const list = (key: string): string[] | undefined => {
    const value = given(key);
    if (value === undefined) return undefined;
    const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
    return items.map((item) => item.trim()).filter(Boolean);
  };
  const json = (key: string): unknown => {
    const value = given(key);
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch (error) {
      problems.push(`${key} must be JSON (${(error as Error).message}), got ${value}`);
      return undefined;
    }
  };
  return { text, number, list, json, problems };
}

function valueProblems(props: GuichetProps): string[] {
  const problems: string[] = [];

  const issuerProblemText = props.oidcIssuer?.trim() ? issuerProblem(props.oidcIssuer) : undefined;
  if (issuerProblemText) problems.push(`oidcIssuer ${issuerProblemText}, got "${props.oidcIssuer}"`);

  checkList(problems, 'returnToOrigins', props.returnToOrigins, (origin) =>
    isBareOrigin(origin) ? undefined : `"${origin}" is not a bare origin such as https://app.example.com`,
  );
  checkList(problems, 'nativeAppRedirectSchemes', props.nativeAppRedirectSchemes, (scheme) => {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) return `"${scheme}" is not an RFC 3986 scheme`;
    if (FORBIDDEN_NATIVE_SCHEMES.has(scheme.toLowerCase())) return `"${scheme}" is not a custom scheme`;
    return undefined;
  });

  checkList(problems, 'corsOrigins', props.corsOrigins, corsOriginProblem);
  if (props.apiAudiences !== undefined) {
    const rules = { allowLoopback: props.allowLoopbackEndpoints === 'true' };
    problems.push(...apiAudiencesProblems(props.apiAudiences, rules).map((problem) => `apiAudiences: ${problem}`));
  }

  for (const key of NUMBER_KEYS) {
    const value = props[key];
    if (value !== undefined && !isPositiveInteger(value)) {
      problems.push(`${key} must be a positive whole number, got ${value}`);
    }
  }
  const userTokenTtlProblemText = props.userTokenTtlSeconds && userTokenTtlProblem(props.userTokenTtlSeconds);
  if (userTokenTtlProblemText) problems.push(`userTokenTtlSeconds ${userTokenTtlProblemText}`);
  const maxAgeProblemText = props.logoutDeliveryMaxAgeSeconds && logoutDeliveryMaxAgeProblem(props.logoutDeliveryMaxAgeSeconds);
  if (maxAgeProblemText) problems.push(`logoutDeliveryMaxAgeSeconds ${maxAgeProblemText}`);
  if ((props.pollReservedConcurrency ?? 0) > MAX_POLL_RESERVED_CONCURRENCY) {
    problems.push(
      `pollReservedConcurrency must be at most ${MAX_POLL_RESERVED_CONCURRENCY} ` +
        `(a Region's default concurrency quota), got ${props.pollReservedConcurrency}`,
    );
  }

  if (props.allowLoopbackEndpoints !== undefined && !['true', 'false'].includes(props.allowLoopbackEndpoints)) {
    problems.push(`allowLoopbackEndpoints must be true or false, got "${props.allowLoopbackEndpoints}"`);
  }

  if (props.signingAlgorithm !== undefined && !SIGNING_ALGORITHMS.includes(props.signingAlgorithm)) {
    problems.push(`signingAlgorithm must be one of ${SIGNING_ALGORITHMS.join(', ')}, got "${props.signingAlgorithm}"`);
  }

  if (props.customDomain) checkCustomDomain(problems, props.customDomain);
  if (props.exampleProductApi !== undefined) checkExampleProductApi(problems, props.exampleProductApi, props.apiAudiences);
  checkOperations(problems, props);
  return problems;
}

/** Named by their context keys, which the operator sets together. */
function checkCustomDomain(problems: string[], { domainName, certificateArn }: CustomDomainProps): void {
  if (!domainName) {
    problems.push('customDomainName is required with certificateArn: the domain the certificate is for');
  } else if (!HOST_NAME.test(domainName)) {
    problems.push(`customDomainName must be a host name such as auth.example.com, got "${domainName}"`);
  }
  if (!certificateArn) {
    problems.push('certificateArn is required with customDomainName: an ACM certificate in the stack\'s region');
  } else if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
    problems.push(`certificateArn must be an ACM certificate ARN, got "${certificateArn}"`);
  }
}

/** The example must be reachable with a user token guichet would mint: a listed audience and one of its scopes. */
function checkExampleProductApi(
  problems: string[],
  example: ExampleProductApiProps,
  apiAudiences: GuichetProps['apiAudiences'],
): void {
  const { audience, scope } = (example ?? {}) as Partial<ExampleProductApiProps>;
  if (typeof audience !== 'string' || typeof scope !== 'string') {
    problems.push(`exampleProductApi must be { "audience": "<one of apiAudiences>", "scope": "<one of its scopes>" }, got ${JSON.stringify(example)}`);
    return;
  }
  const registered = apiAudiences && Object.hasOwn(apiAudiences, audience) ? apiAudiences[audience] : undefined;
  const scopes = registered && audienceScopes(registered);
  if (!scopes) problems.push(`exampleProductApi.audience "${audience}" is not listed in apiAudiences`);
  else if (!scopes.includes(scope)) problems.push(`exampleProductApi.scope "${scope}" is not among the scopes of "${audience}" (${scopes.join(', ')})`);
}

/** Alarms, throttling and logs: what an operator tunes after the first deploy. */
function checkOperations(problems: string[], props: GuichetProps): void {
  const percent = props.serverErrorRateAlarmPercent;
  if (percent !== undefined && !(percent > 0 && percent <= 100)) {
    problems.push(`serverErrorRateAlarmPercent must be above 0 and at most 100, got ${percent}`);
  }
  if (props.alarmEmail !== undefined && !isEmailAddress(props.alarmEmail)) {
    problems.push(`alarmEmail must be an e-mail address, got "${props.alarmEmail}"`);
  }
  if (props.logRetention !== undefined && !RETENTION_DAYS.includes(props.logRetention)) {
    problems.push(
      `logRetentionDays must be a CloudWatch Logs retention in days (${RETENTION_DAYS.join(', ')}), ` +
        `got ${props.logRetention}`,
    );
  }
  if (props.defaultThrottle !== undefined) {
    const keys = { rateLimit: 'defaultThrottleRate', burstLimit: 'defaultThrottleBurst' };
    checkThrottle(problems, props.defaultThrottle, keys);
  }
  const routeThrottles: unknown = props.routeThrottles;
  if (routeThrottles === undefined) return;
  if (typeof routeThrottles !== 'object' || routeThrottles === null || Array.isArray(routeThrottles)) {
    const got = JSON.stringify(routeThrottles);
    problems.push(`routeThrottles must map route ids to { rateLimit, burstLimit }, got ${got}`);
    return;
  }
  for (const [id, throttle] of Object.entries(routeThrottles)) {
    if (!ROUTE_IDS.includes(id)) problems.push(`routeThrottles: "${id}" is no route id (${ROUTE_IDS.join(', ')})`);
    checkThrottle(problems, throttle, {
      rateLimit: `routeThrottles.${id}.rateLimit`,
      burstLimit: `routeThrottles.${id}.burstLimit`,
    });
  }
}

/** `keys` names each limit as the operator sets it. */
function checkThrottle(
  problems: string[],
  throttle: unknown,
  keys: Readonly<Record<keyof RouteThrottle, string>>,
): void {
  for (const limit of ['rateLimit', 'burstLimit'] as const) {
    const value = (throttle as Partial<RouteThrottle> | null)?.[limit];
    if (!isPositiveInteger(value)) problems.push(`${keys[limit]} must be a positive whole number, got ${value}`);
  }
}

function isPositiveInteger(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  return at > 0 && /^[\w.!#$%&'*+/=?^`{|}~-]{1,64}$/.test(value.slice(0, at)) && HOST_NAME.test(value.slice(at + 1));
}

function checkList(
  problems: string[],
  key: string,
  items: readonly string[] | undefined,
  check: (item: string) => string | undefined,
): void {
  if (items === undefined) return;
  if (items.length === 0) problems.push(`${key} must not be empty: leave it unset to use the default`);
  for (const item of items) {
    const problem = check(item);
    if (problem) problems.push(`${key}: ${problem}`);
  }
}

function isBareOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}
