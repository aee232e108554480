import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { FORBIDDEN_NATIVE_SCHEMES } from '../lambdas/shared/config';
import type { SigningAlgorithm } from '../lambdas/shared/signing-keys';

/**
 * The algorithms the signing-keys rotation Lambda generates. The handlers' own list lives with jose, which the CDK
 * app has no reason to load; a test keeps the two equal.
 */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const satisfies readonly SigningAlgorithm[];

/** What an operator configures; each optional value left unset lets the handlers apply their own default. */
export interface GuichetProps {
  /** Upstream IdP issuer: an https URL without query or fragment. */
  readonly oidcIssuer: string;
  readonly oidcClientId: string;
  /** Space-separated scopes asked at login. */
  readonly oidcScopes?: string;
  /** Bare origins (`https://app.example.com`) a web login may return to. */
  readonly returnToOrigins?: readonly string[];
  /** Custom URL schemes native apps may be sent back to. */
  readonly nativeAppRedirectSchemes?: readonly string[];
  readonly sessionTtlSeconds?: number;
  readonly exchangeCodeTtlSeconds?: number;
  /** Failed session exchanges one client address may make per window before it gets 429. */
  readonly sessionExchangeFailureLimit?: number;
  readonly sessionExchangeFailureWindowSeconds?: number;
  readonly addonsSessionTtlSeconds?: number;
  readonly addonsTransitTokenTtlSeconds?: number;
  readonly addonsTokenScope?: string;
  readonly addonsTokenTtlSeconds?: number;
  readonly accessTokenTtlSeconds?: number;
  readonly accessTokenAudience?: string;
  /** Failed token requests one client address may make per window before it gets 429. */
  readonly tokenFailureLimit?: number;
  readonly tokenFailureWindowSeconds?: number;
  /** How long a Lambda keeps the signing keys, and verifiers may cache the JWKS. */
  readonly signingKeysCacheSeconds?: number;
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
  /** Serve the API on this domain; the certificate must be in the stack's region. */
  readonly customDomain?: CustomDomainProps;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export interface CustomDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
}

/** Numeric props: lifetimes in seconds, rate limits and the alarm threshold, all positive whole numbers. */
const NUMBER_KEYS = [
  'sessionTtlSeconds',
  'exchangeCodeTtlSeconds',
  'sessionExchangeFailureLimit',
  'sessionExchangeFailureWindowSeconds',
  'addonsSessionTtlSeconds',
  'addonsTransitTokenTtlSeconds',
  'addonsTokenTtlSeconds',
  'accessTokenTtlSeconds',
  'tokenFailureLimit',
  'tokenFailureWindowSeconds',
  'signingKeysCacheSeconds',
  'authFailureAlarmThreshold',
  'logoutRejectionAlarmThreshold',
] as const;

/** Reads the flat context keys (cdk.json or `-c key=value`, where every value arrives as a string). */
export function propsFromContext(node: Node): GuichetProps {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
    return value.trim();
  };
  const required = (key: string): string => {
    const value = text(key);
    if (!value) throw new Error(`Context "${key}" is required: set it in cdk.json or pass -c ${key}=...`);
    return value;
  };
  const list = (key: string): string[] | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
    const trimmed = items.map((item) => item.trim()).filter(Boolean);
    return trimmed.length > 0 ? trimmed : undefined;
  };
  const number = (key: string): number | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
    throw new Error(`Context "${key}" must be a number, got ${JSON.stringify(value)}`);
  };

  const numbers = Object.fromEntries(NUMBER_KEYS.map((key) => [key, number(key)]));
  const domainName = text('customDomainName');
  const certificateArn = text('certificateArn');
  const retentionDays = number('logRetentionDays');
  return {
    oidcIssuer: required('oidcIssuer'),
    oidcClientId: required('oidcClientId'),
    oidcScopes: text('oidcScopes'),
    returnToOrigins: list('returnToOrigins'),
    nativeAppRedirectSchemes: list('nativeAppRedirectSchemes'),
    ...numbers,
    addonsTokenScope: text('addonsTokenScope'),
    accessTokenAudience: text('accessTokenAudience'),
    // Checked by validateProps, so a wrong value is reported with every other problem.
    signingAlgorithm: text('signingAlgorithm') as SigningAlgorithm | undefined,
    customDomain:
      domainName || certificateArn ? { domainName: domainName ?? '', certificateArn: certificateArn ?? '' } : undefined,
    logRetention: retentionDays === undefined ? undefined : retentionFromDays(retentionDays),
  };
}

function retentionFromDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!allowed.includes(days)) {
    const choices = allowed.join(', ');
    throw new Error(`Context "logRetentionDays" must be a CloudWatch Logs retention (${choices}), got ${days}`);
  }
  return days as logs.RetentionDays;
}

/** Throws at synth time what would otherwise make every Lambda fail its first invocation. */
export function validateProps(props: GuichetProps): void {
  const problems: string[] = [];

  if (!isHttpsUrlWithoutQuery(props.oidcIssuer)) {
    problems.push(`oidcIssuer must be an https URL without query or fragment, got "${props.oidcIssuer}"`);
  }
  if (!props.oidcClientId?.trim()) problems.push('oidcClientId must not be empty');

  checkList(problems, 'returnToOrigins', props.returnToOrigins, (origin) =>
    isBareOrigin(origin) ? undefined : `"${origin}" is not a bare origin such as https://app.example.com`,
  );
  checkList(problems, 'nativeAppRedirectSchemes', props.nativeAppRedirectSchemes, (scheme) => {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) return `"${scheme}" is not an RFC 3986 scheme`;
    if (FORBIDDEN_NATIVE_SCHEMES.has(scheme.toLowerCase())) return `"${scheme}" is not a custom scheme`;
    return undefined;
  });

  for (const key of NUMBER_KEYS) {
    const value = props[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      problems.push(`${key} must be a positive whole number, got ${value}`);
    }
  }

  if (props.signingAlgorithm !== undefined && !SIGNING_ALGORITHMS.includes(props.signingAlgorithm)) {
    problems.push(`signingAlgorithm must be one of ${SIGNING_ALGORITHMS.join(', ')}, got "${props.signingAlgorithm}"`);
  }

  if (props.customDomain) {
    const { domainName, certificateArn } = props.customDomain;
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domainName)) {
      problems.push(`customDomain needs a domainName (a host name), got "${domainName}"`);
    }
    if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
      problems.push(`customDomain needs a certificateArn (an ACM certificate ARN), got "${certificateArn}"`);
    }
  }

  if (problems.length > 0) throw new Error(`Invalid guichet configuration:\n- ${problems.join('\n- ')}`);
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

function isHttpsUrlWithoutQuery(value: string): boolean {
  if (/[?#]/.test(value)) return false;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
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
