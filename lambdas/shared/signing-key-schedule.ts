import { LAMBDA_SETTINGS } from '../settings';

/**
 * When a signing key may start signing, and when one that stopped may be dropped: the rules every rotation follows,
 * from two settings. Free of other imports than the settings table, so that the CDK app, the rotation function and
 * the operator CLI share it.
 */

/**
 * The setting of the lifetime of every kind of token guichet signs with its keys (the handlers' configuration field
 * and the stack's prop have that name). A new kind of signed token adds its setting here: rotations wait for the
 * longest lifetime of all.
 */
export const SIGNED_TOKEN_LIFETIME_SETTINGS = ['accessTokenTtlSeconds', 'addonsTokenTtlSeconds', 'userTokenTtlSeconds'] as const;

export type SignedTokenLifetimeSetting = (typeof SIGNED_TOKEN_LIFETIME_SETTINGS)[number];

/** Tokens guichet signs whose lifetime no setting changes. */
export const FIXED_SIGNED_TOKEN_LIFETIMES = {
  /** Logout tokens sent to product backends: acted on at once, as OpenID Connect Back-Channel Logout advises. */
  downstreamLogoutTokenSeconds: 120,
} as const;

export type KeyScheduleSettings = { readonly signingKeysCacheSeconds?: number } & { readonly [S in SignedTokenLifetimeSetting]?: number };

/** The two durations the rules need, as the deployment sets them. */
export interface KeySchedule {
  /** How long a function keeps the key set it read, and a verifier the JWKS (SIGNING_KEYS_CACHE_SECONDS). */
  readonly keysCacheSeconds: number;
  /** The longest lifetime of a token guichet signs. */
  readonly longestTokenLifetimeSeconds: number;
}

export function keySchedule(settings: KeyScheduleSettings): KeySchedule {
  const lifetimes = SIGNED_TOKEN_LIFETIME_SETTINGS.map((setting) => settings[setting] ?? LAMBDA_SETTINGS[setting].default);
  return {
    keysCacheSeconds: settings.signingKeysCacheSeconds ?? LAMBDA_SETTINGS.signingKeysCacheSeconds.default,
    longestTokenLifetimeSeconds: Math.max(...lifetimes, ...Object.values(FIXED_SIGNED_TOKEN_LIFETIMES)),
  };
}

export const DEFAULT_KEY_SCHEDULE: KeySchedule = keySchedule({});

/**
 * How long a key is published before it may sign: the JWKS function may serve a key set as old as its cache, and
 * a verifier may keep that JWKS as long again, so every verifier knows the key after twice the cache; and at least
 * the cache plus the longest token lifetime, so that the key this promotion retires in turn drops the one retired
 * before it no sooner than its last tokens have expired. Two rotations in a row never break a live token.
 */
export function minimumPublicationSeconds(schedule: KeySchedule): number {
  return schedule.keysCacheSeconds + Math.max(schedule.keysCacheSeconds, schedule.longestTokenLifetimeSeconds);
}

/** How long a key that stopped signing stays published: a function may sign with it for as long as its cache, and the tokens live on. */
export function retentionSeconds(schedule: KeySchedule): number {
  return schedule.keysCacheSeconds + schedule.longestTokenLifetimeSeconds;
}
