import type { SigningAlgorithm } from './signing-algorithms';
import { generateSigningKey } from './signing-key-generation';
import { DEFAULT_KEY_SCHEDULE, type KeySchedule, minimumPublicationSeconds, retentionSeconds } from './signing-key-schedule';
import { parseKeySet, type SigningKeySet, type StoredSigningKey } from './signing-keys';

/** The schedule a set is rotated by: its own, or the defaults for a set made without one. */
export function scheduleOf(set: SigningKeySet): KeySchedule {
  return set.schedule ?? DEFAULT_KEY_SCHEDULE;
}

/** A first key set: a current key and a next key, both published from `now`. */
export async function firstKeySet(alg: SigningAlgorithm, now: number, schedule?: KeySchedule): Promise<SigningKeySet> {
  const keys = [await generateSigningKey(alg), await generateSigningKey(alg)].map((key) => ({ ...key, publishedAt: now }));
  return schedule ? { keys, schedule } : { keys };
}

export type RotationReadiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly nextPublishedAt: number; readonly readyAt: number; readonly schedule: KeySchedule };

/**
 * Whether a rotation may promote the next key now: only once it has been published for `minimumPublicationSeconds`.
 * A set of one key has no next key to promote: its rotation only publishes one, which is always safe.
 */
export function rotationReadiness(set: SigningKeySet, now: number): RotationReadiness {
  if (set.keys.length < 2) return { ready: true };
  const schedule = scheduleOf(set);
  const nextPublishedAt = set.keys.at(-1)!.publishedAt ?? now;
  const readyAt = nextPublishedAt + minimumPublicationSeconds(schedule);
  return readyAt <= now ? { ready: true } : { ready: false, nextPublishedAt, readyAt, schedule };
}

/** Why a rotation asked for now must wait, for the operator and the logs. */
export function tooEarlyMessage(readiness: Extract<RotationReadiness, { ready: false }>, now: number): string {
  const { keysCacheSeconds, longestTokenLifetimeSeconds } = readiness.schedule;
  return (
    `the next signing key was published at ${isoTime(readiness.nextPublishedAt)} and may sign from ${isoTime(readiness.readyAt)} ` +
    `(in ${Math.ceil((readiness.readyAt - now) / 60)} min): a key signs only once every verifier's cached JWKS holds it ` +
    `(SIGNING_KEYS_CACHE_SECONDS ${keysCacheSeconds} s, in guichet and again in the verifier), and the key it replaces drops ` +
    `the one before only once that one's tokens have expired (longest token lifetime ${longestTokenLifetimeSeconds} s)`
  );
}

/**
 * The key set after a rotation, which `rotationReadiness` allowed: the current key stops signing and stays
 * published until its last tokens may have expired, the next key becomes current, and a new next key is
 * published. Keys that stopped signing earlier are dropped once their tokens may all have expired, never before.
 */
export async function rotatedKeySet(set: SigningKeySet, alg: SigningAlgorithm, now: number): Promise<SigningKeySet> {
  const schedule = scheduleOf(set);
  const retire = (key: StoredSigningKey) => ({
    ...key,
    retiredAt: now,
    keptUntil: Math.max(key.keptUntil ?? 0, now + retentionSeconds(schedule)),
  });
  const keys = set.keys.map((key, index) => (index === set.keys.length - 2 ? retire(key) : key));
  const kept = keys.filter((key, index) => index >= keys.length - 2 || !mayBeDropped(key, schedule, now));
  return { ...set, keys: [...kept, { ...(await generateSigningKey(alg)), publishedAt: now }] };
}

/** A key that stopped signing, whose tokens may all have expired (under the schedule then, and the one now). */
function mayBeDropped(key: StoredSigningKey, schedule: KeySchedule, now: number): boolean {
  if (key.retiredAt === undefined) return false;
  return now >= Math.max(key.keptUntil ?? 0, key.retiredAt + retentionSeconds(schedule));
}

/**
 * A set written before keys carried their dates, dated from when its secret version was written (`versionCreated`,
 * as Secrets Manager tells it; `now` if it does not): each key was published, and each key before the current one had
 * stopped signing, by then at the latest.
 */
export function withKnownDates(set: SigningKeySet, versionCreated: Date | undefined, now: number): SigningKeySet {
  const writtenAt = versionCreated ? Math.floor(versionCreated.getTime() / 1000) : now;
  const currentIndex = set.keys.length - 2;
  const keys = set.keys.map((key, index) => ({
    ...key,
    publishedAt: key.publishedAt ?? writtenAt,
    ...(index < currentIndex && key.retiredAt === undefined ? { retiredAt: writtenAt } : {}),
  }));
  return { ...set, keys };
}

/**
 * The set rotated by `schedule` from now on. The current key may have signed tokens under the previous schedule
 * until now: it is kept at least as long as that schedule asked.
 */
export function withSchedule(set: SigningKeySet, schedule: KeySchedule, now: number): SigningKeySet {
  const previous = set.schedule ?? schedule;
  const currentIndex = set.keys.length >= 2 ? set.keys.length - 2 : 0;
  const keys = set.keys.map((key, index) =>
    index === currentIndex ? { ...key, keptUntil: Math.max(key.keptUntil ?? 0, now + retentionSeconds(previous)) } : key,
  );
  return { keys, schedule };
}

export function sameSchedule(a: KeySchedule | undefined, b: KeySchedule): boolean {
  return a?.keysCacheSeconds === b.keysCacheSeconds && a.longestTokenLifetimeSeconds === b.longestTokenLifetimeSeconds;
}

/** The key set a secret holds, or undefined for a fresh secret's placeholder value. */
export function keySetOrNothing(text: string | undefined): SigningKeySet | undefined {
  if (text === undefined) return undefined;
  try {
    return parseKeySet(text);
  } catch {
    return undefined;
  }
}

function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
