import type { FailedLogoutDelivery, LogoutDelivery } from '../repositories/logout-deliveries';
import type { AppConfig } from '../shared/config';
import {
  type OutboundRequest,
  OutboundRequestFailed,
  OutboundRequestRefused,
  type OutboundResponse,
  outboundFetch,
} from '../shared/outbound-fetch';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { mintDownstreamLogoutToken } from './downstream-logout-token';

/** The contract's limit on one delivery, from the DNS lookup to the answer's last byte. */
export const DELIVERY_TIMEOUT_MS = 5000;
/** A logout endpoint answers with an empty body; anything much larger is not read. */
const MAX_RESPONSE_BYTES = 16 * 1024;
/** The first retry comes after about a second, each next one after twice as long, never more than 15 minutes apart. */
export const RETRY_BASE_SECONDS = 1;
export const RETRY_CAP_SECONDS = 900;
/** SQS's longest visibility timeout: how far a `Retry-After` can push the next attempt. */
export const MAX_RETRY_AFTER_SECONDS = 43_200;

/** Why a delivery ended as failed: the `reason` kept with it in the failed-deliveries queue. */
export type DeliveryFailureReason = 'http_4xx' | 'unexpected_status' | 'refused' | 'unregistered' | 'expired' | 'malformed';
/** Why an attempt is retried. */
export type DeliveryRetryReason = 'transport' | 'timeout' | 'http_5xx' | 'http_429';

export type AttemptResult =
  | { readonly outcome: 'delivered'; readonly status: number }
  | { readonly outcome: 'retry'; readonly reason: DeliveryRetryReason; readonly status?: number; readonly retryAfterSeconds?: number }
  | { readonly outcome: 'failed'; readonly reason: DeliveryFailureReason; readonly status?: number };

/** What becomes of the message after one attempt. */
export type DeliveryDecision =
  | { readonly action: 'delivered'; readonly status: number }
  | { readonly action: 'retry'; readonly inSeconds: number; readonly reason: DeliveryRetryReason; readonly status?: number }
  | { readonly action: 'failed'; readonly reason: DeliveryFailureReason; readonly status?: number };

/**
 * The endpoint's answer, as the contract reads it: 200 or 204 is delivered; a 5xx or a 429 is retried, after its
 * `Retry-After` at the earliest; any other 4xx fails at once. Any other status (another 2xx, a redirect, which is
 * not followed) is no answer of OpenID Connect Back-Channel Logout and cannot get better by retrying: failed too.
 */
export function classifyAnswer(response: Pick<OutboundResponse, 'status' | 'headers'>, nowMs = Date.now()): AttemptResult {
  const { status } = response;
  if (status === 200 || status === 204) return { outcome: 'delivered', status };
  if (status >= 500 || status === 429) {
    return {
      outcome: 'retry',
      reason: status === 429 ? 'http_429' : 'http_5xx',
      status,
      retryAfterSeconds: retryAfterSeconds(response.headers['retry-after'], nowMs),
    };
  }
  if (status >= 400) return { outcome: 'failed', reason: 'http_4xx', status };
  return { outcome: 'failed', reason: 'unexpected_status', status };
}

/** A request that got no answer: retried (DNS, connection, timeout), or refused by the SSRF guard, which stays refused. */
export function classifyError(error: unknown): AttemptResult {
  if (error instanceof OutboundRequestRefused) return { outcome: 'failed', reason: 'refused' };
  if (error instanceof OutboundRequestFailed) return { outcome: 'retry', reason: error.timedOut ? 'timeout' : 'transport' };
  throw error;
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP date; anything else is ignored. */
export function retryAfterSeconds(header: string | undefined, nowMs = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  // An HTTP date names its day and month; Date.parse alone would read "-5" as a year.
  const date = /^[A-Za-z]{3}, /.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/**
 * When to try again after the `attempt`-th attempt failed: exponential backoff from RETRY_BASE_SECONDS, capped at
 * RETRY_CAP_SECONDS, with jitter (half of it random, so that the deliveries of one mass logout spread out), and
 * never before the endpoint's `Retry-After`, itself honoured up to SQS's 12 hours.
 */
export function retryDelaySeconds(attempt: number, retryAfter: number | undefined, random: () => number = Math.random): number {
  const backoff = Math.min(RETRY_BASE_SECONDS * 2 ** Math.max(0, attempt - 1), RETRY_CAP_SECONDS);
  const jittered = Math.max(1, Math.ceil(backoff * (0.5 + random() / 2)));
  return Math.min(Math.max(retryAfter ?? 0, jittered), MAX_RETRY_AFTER_SECONDS);
}

/** The moment past which a delivery is not tried again: the age limit from the session's end, or from a redrive. */
export function deliveryDeadline(delivery: LogoutDelivery, config: Pick<AppConfig, 'logoutDeliveryMaxAgeSeconds'>): number {
  return Math.max(delivery.endedAt, delivery.redrivenAt ?? 0) + config.logoutDeliveryMaxAgeSeconds;
}

export interface DeliveryDependencies {
  readonly config: Pick<AppConfig, 'publicUrl' | 'backchannelLogoutUris' | 'logoutDeliveryMaxAgeSeconds' | 'allowLoopbackEndpoints'>;
  readonly signingKey: () => Promise<SigningKey>;
  readonly fetch?: (request: OutboundRequest, policy: { readonly allowLoopback: boolean }) => Promise<OutboundResponse>;
}

/**
 * One attempt of one delivery (the `attempt`-th): a fresh logout token posted to the audience's endpoint, through
 * the SSRF guard. A delivery past its deadline, or for an audience no longer registered, fails without a request.
 */
export async function attemptDelivery(
  delivery: LogoutDelivery,
  attempt: number,
  dependencies: DeliveryDependencies,
): Promise<DeliveryDecision> {
  const { config } = dependencies;
  const deadline = deliveryDeadline(delivery, config);
  if (nowSeconds() >= deadline) return { action: 'failed', reason: 'expired' };
  const endpoint = config.backchannelLogoutUris[delivery.audience];
  if (endpoint === undefined) return { action: 'failed', reason: 'unregistered' };

  const token = mintDownstreamLogoutToken(delivery, await dependencies.signingKey(), config);
  const fetch = dependencies.fetch ?? outboundFetch;
  const result = await fetch(
    {
      url: endpoint,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      timeoutMs: DELIVERY_TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    },
    { allowLoopback: config.allowLoopbackEndpoints },
  ).then((response) => classifyAnswer(response), classifyError);

  if (result.outcome === 'delivered') return { action: 'delivered', status: result.status };
  if (result.outcome === 'failed') return { action: 'failed', reason: result.reason, status: result.status };
  const remaining = deadline - nowSeconds();
  if (remaining <= 0) return { action: 'failed', reason: 'expired', status: result.status };
  const inSeconds = Math.min(retryDelaySeconds(attempt, result.retryAfterSeconds), remaining);
  return { action: 'retry', inSeconds, reason: result.reason, status: result.status };
}

/** What the failed-deliveries queue keeps of a delivery that failed. */
export function failedDelivery(
  delivery: LogoutDelivery,
  decision: Extract<DeliveryDecision, { action: 'failed' }>,
  attempts: number,
): FailedLogoutDelivery {
  const { audience, sub, sid, endedAt, redrivenAt } = delivery;
  return {
    audience,
    sub,
    sid,
    endedAt,
    ...(redrivenAt === undefined ? {} : { redrivenAt }),
    failure: { reason: decision.reason, ...(decision.status === undefined ? {} : { status: decision.status }), at: nowSeconds(), attempts },
  };
}

/** The body of a delivery message, or undefined when it is not one (it then fails as `malformed`). */
export function parseDelivery(body: string): LogoutDelivery | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<LogoutDelivery>;
    const texts = [parsed.audience, parsed.sub, parsed.sid].every((value) => typeof value === 'string' && value.length > 0);
    const times = Number.isSafeInteger(parsed.endedAt) && (parsed.redrivenAt === undefined || Number.isSafeInteger(parsed.redrivenAt));
    return texts && times ? (parsed as LogoutDelivery) : undefined;
  } catch {
    return undefined;
  }
}
