/**
 * When a signing key may start signing, and when one that stopped may be dropped: the rules every rotation follows,
 * from two settings. Free of imports, so that the CDK app, the rotation function and the operator CLI share it.
 */

/**
 * Every kind of token guichet signs with its keys, by the setting of its lifetime (the handlers' configuration
 * field and the stack's prop have that name), with the setting's default. A new kind of signed token adds itself
 * here: rotations wait for the longest lifetime of all.
 */
export const SIGNED_TOKEN_LIFETIMES = {
  /** Client-credentials access tokens (ACCESS_TOKEN_TTL_SECONDS). */
  accessTokenTtlSeconds: 3600,
  /** Add-in access tokens (ADDONS_TOKEN_TTL_SECONDS). */
  addonsTokenTtlSeconds: 3600,
  /** User tokens minted from a session (USER_TOKEN_TTL_SECONDS). */
  userTokenTtlSeconds: 300,
} as const;

export type SignedTokenLifetimeSetting = keyof typeof SIGNED_TOKEN_LIFETIMES;

/** Tokens guichet signs whose lifetime no setting changes. */
export const FIXED_SIGNED_TOKEN_LIFETIMES = {
  /** Logout tokens sent to product backends: acted on at once, as OpenID Connect Back-Channel Logout advises. */
  downstreamLogoutTokenSeconds: 120,
} as const;

/** SIGNING_KEYS_CACHE_SECONDS unset. */
export const DEFAULT_SIGNING_KEYS_CACHE_SECONDS = 300;

export type KeyScheduleSettings = { readonly signingKeysCacheSeconds?: number } & { readonly [S in SignedTokenLifetimeSetting]?: number };

/** The two durations the rules need, as the deployment sets them. */
export interface KeySchedule {
  /** How long a function keeps the key set it read, and a verifier the JWKS (SIGNING_KEYS_CACHE_SECONDS). */
  readonly keysCacheSeconds: number;
  /** The longest lifetime of a token guichet signs. */
  readonly longestTokenLifetimeSeconds: number;
}

export function keySchedule(settings: KeyScheduleSettings): KeySchedule {
  const lifetimes = Object.entries(SIGNED_TOKEN_LIFETIMES).map(
    ([setting, fallback]) => settings[setting as SignedTokenLifetimeSetting] ?? fallback,
  );
  return {
    keysCacheSeconds: settings.signingKeysCacheSeconds ?? DEFAULT_SIGNING_KEYS_CACHE_SECONDS,
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
