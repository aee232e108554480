import fc from 'fast-check';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import {
  firstKeySet,
  keySetOrNothing,
  rotatedKeySet,
  rotationReadiness,
  tooEarlyMessage,
  withKnownDates,
  withSchedule,
} from '../../../lambdas/shared/signing-key-rotation';
import { type KeySchedule, minimumPublicationSeconds } from '../../../lambdas/shared/signing-key-schedule';
import { currentSigningJwk, publicJwk, type SigningKeySet } from '../../../lambdas/shared/signing-keys';

const SCHEDULE: KeySchedule = { keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 };
const T0 = 1_800_000_000;
const kids = (set: SigningKeySet) => set.keys.map((key) => key.kid);

describe('firstKeySet', () => {
  it('makes a current key and a next key, both published now, with the schedule', async () => {
    const first = await firstKeySet('RS256', T0, SCHEDULE);
    expect(first.keys).toHaveLength(2);
    expect(first.keys.map((key) => key.publishedAt)).toEqual([T0, T0]);
    expect(first.schedule).toEqual(SCHEDULE);
    expect(currentSigningJwk(first)).toBe(first.keys[0]);
  });
});

describe('rotationReadiness', () => {
  it('refuses until the next key has been published for the key cache plus the longest token lifetime', async () => {
    const first = await firstKeySet('ES256', T0, SCHEDULE);
    const readyAt = T0 + 300 + 3600;
    expect(rotationReadiness(first, readyAt - 1)).toEqual({ ready: false, nextPublishedAt: T0, readyAt, schedule: SCHEDULE });
    expect(rotationReadiness(first, readyAt)).toEqual({ ready: true });
  });

  it('waits at least twice the key cache, the time every verifier needs to see a new key, even for short tokens', () => {
    expect(minimumPublicationSeconds({ keysCacheSeconds: 600, longestTokenLifetimeSeconds: 60 })).toBe(1200);
    expect(minimumPublicationSeconds({ keysCacheSeconds: 60, longestTokenLifetimeSeconds: 600 })).toBe(660);
  });

  it('says when and why in its message', async () => {
    const first = await firstKeySet('ES256', T0, SCHEDULE);
    const readiness = rotationReadiness(first, T0 + 60);
    if (readiness.ready) throw new Error('should not be ready');
    expect(tooEarlyMessage(readiness, T0 + 60)).toBe(
      'the next signing key was published at 2027-01-15T08:00:00Z and may sign from 2027-01-15T09:05:00Z (in 64 min): ' +
        "a key signs only once every verifier's cached JWKS holds it (SIGNING_KEYS_CACHE_SECONDS 300 s, in guichet and again in " +
        "the verifier), and the key it replaces drops the one before only once that one's tokens have expired (longest token " +
        'lifetime 3600 s)',
    );
  });
});

describe('rotatedKeySet', () => {
  it('promotes the next key, keeps the current one published until its tokens may have expired, and publishes a new next key', async () => {
    const first = await firstKeySet('ES256', T0, SCHEDULE);
    const at = T0 + 3900;
    const second = await rotatedKeySet(first, 'ES256', at);
    expect(kids(second)).toEqual([first.keys[0].kid, first.keys[1].kid, second.keys[2].kid]);
    expect(currentSigningJwk(second).kid).toBe(first.keys[1].kid);
    expect(second.keys[0]).toMatchObject({ retiredAt: at, keptUntil: at + 300 + 3600 });
    expect(second.keys[2].publishedAt).toBe(at);
    expect(second.schedule).toEqual(SCHEDULE);
  });

  it('refuses a second rotation right after the first: it would promote a key minutes old', async () => {
    const first = await firstKeySet('ES256', T0, SCHEDULE);
    const second = await rotatedKeySet(first, 'ES256', T0 + 3900);
    expect(rotationReadiness(second, T0 + 3960)).toMatchObject({ ready: false, readyAt: T0 + 3900 + 3900 });
  });

  it('drops a key that stopped signing only once its tokens may all have expired', async () => {
    const first = await firstKeySet('ES256', T0, SCHEDULE);
    const second = await rotatedKeySet(first, 'ES256', T0 + 3900);
    const third = await rotatedKeySet(second, 'ES256', T0 + 7800);
    expect(kids(third)).toEqual([second.keys[1].kid, second.keys[2].kid, third.keys[2].kid]);
    const longerKept = second.keys.map((key, index) => (index === 0 ? { ...key, keptUntil: T0 + 9000 } : key));
    const kept = await rotatedKeySet({ ...second, keys: longerKept }, 'ES256', T0 + 7800);
    expect(kept.keys.map((key) => key.kid)).toContain(first.keys[0].kid);
  });

  it('keeps a key that signed under a longer lifetime than the one now in force', async () => {
    const first = await firstKeySet('ES256', T0, SCHEDULE);
    // A deploy shortens the tokens to 5 minutes; tokens of an hour were signed until then.
    const shortened = withSchedule(first, { keysCacheSeconds: 300, longestTokenLifetimeSeconds: 300 }, T0 + 100);
    const second = await rotatedKeySet(shortened, 'ES256', T0 + 700);
    const third = await rotatedKeySet(second, 'ES256', T0 + 1400);
    expect(kids(third)).toContain(first.keys[0].kid);
    const fourth = await rotatedKeySet(third, 'ES256', T0 + 100 + 3900);
    expect(kids(fourth)).not.toContain(first.keys[0].kid);
  });
});

describe('a key set written before keys carried dates', () => {
  it('is dated from when its secret version was written, at the latest', async () => {
    const legacy: SigningKeySet = { keys: (await firstKeySet('ES256', T0)).keys.map(({ publishedAt: _, ...key }) => key) };
    const dated = withKnownDates({ keys: [{ ...legacy.keys[0] }, ...legacy.keys] }, new Date((T0 + 50) * 1000), T0 + 60);
    const dates = dated.keys.map((key) => [key.publishedAt, key.retiredAt]);
    expect(dates).toEqual([
      [T0 + 50, T0 + 50],
      [T0 + 50, undefined],
      [T0 + 50, undefined],
    ]);
  });
});

describe('keySetOrNothing', () => {
  it("reads a key set, and nothing from a fresh secret's placeholder", async () => {
    const set = await firstKeySet('RS256', T0);
    expect(keySetOrNothing(JSON.stringify(set))?.keys).toHaveLength(2);
    expect(keySetOrNothing('a-random-placeholder')).toBeUndefined();
    expect(keySetOrNothing(undefined)).toBeUndefined();
  });
});

describe('two rotations in a row never break a live token', () => {
  it('a token signed before two rotations still verifies against the published JWKS until it expires', async () => {
    const schedule = { keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 };
    let published = await firstKeySet('RS256', T0, schedule);
    const signing = currentSigningJwk(published);
    const sign = async (at: number) =>
      new SignJWT({ sub: 'ada' })
        .setProtectedHeader({ alg: 'RS256', kid: signing.kid })
        .setIssuedAt(at)
        .setExpirationTime(at + 3600)
        .sign(await importJWK(signing, 'RS256'));
    /** Rotates if a rotation is allowed at `at` (as the CLI and the schedule ask), and says whether it was. */
    const rotateAt = async (at: number) => {
      if (!rotationReadiness(published, at).ready) return false;
      published = await rotatedKeySet(published, 'RS256', at);
      return true;
    };
    const verifiesAt = async (token: string, at: number) =>
      jwtVerify(token, createLocalJWKSet({ keys: published.keys.map(publicJwk) }), { currentDate: new Date(at * 1000) }).then(
        () => true,
        () => false,
      );

    // One token just before the first rotation; one by a function whose cached key set is as old as the key cache allows.
    const beforeRotations = await sign(T0 + 3899);
    expect(await rotateAt(T0 + 3900)).toBe(true);
    const fromStaleCache = await sign(T0 + 3900 + 299);
    // The second rotation, asked again and again while those tokens live: refused (CLI) or postponed (schedule).
    for (const at of [T0 + 3901, T0 + 4199, T0 + 5000, T0 + 7498, T0 + 7798]) {
      expect(await rotateAt(at)).toBe(false);
      if (at < T0 + 3899 + 3600) expect(await verifiesAt(beforeRotations, at)).toBe(true);
      if (at >= T0 + 4199) expect(await verifiesAt(fromStaleCache, at)).toBe(true);
    }
    // It happens once the key it drops can have signed no live token.
    expect(await rotateAt(T0 + 7800)).toBe(true);
    expect(published.keys.map((key) => key.kid)).not.toContain(signing.kid);
    expect(await verifiesAt(fromStaleCache, T0 + 7800)).toBe(false);
  });

  /**
   * A model of the deployment: rotations attempted at arbitrary times (allowed ones rotate, others are refused);
   * every function that signs may use a key set as old as the key cache; every verifier may hold a JWKS as old as
   * twice the cache (guichet's JWKS function caches it, then the verifier). For every key that signed, every key set
   * a verifier may hold while one of its tokens lives must publish it.
   */
  it('whatever the times of the rotations asked, under any schedule', async () => {
    const schedules = fc.record({
      keysCacheSeconds: fc.constantFrom(1, 60, 300, 3600),
      longestTokenLifetimeSeconds: fc.constantFrom(60, 300, 3600, 7200),
    });
    const anyGap = fc.oneof(fc.constantFrom(0, 1, 60), fc.integer({ min: 0, max: 20_000 }));
    const gapsBetweenAttempts = fc.array(anyGap, { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(schedules, gapsBetweenAttempts, async (schedule, gaps) => {
        const versions: { writtenAt: number; set: SigningKeySet }[] = [{ writtenAt: 0, set: await firstKeySet('ES256', 0, schedule) }];
        let at = 0;
        for (const gap of gaps.flatMap((gap) => [gap, minimumPublicationSeconds(schedule) - 1, 1])) {
          at += gap;
          const { set } = versions.at(-1)!;
          if (rotationReadiness(set, at).ready) versions.push({ writtenAt: at, set: await rotatedKeySet(set, 'ES256', at) });
        }
        const until = (index: number) => versions[index + 1]?.writtenAt ?? Number.POSITIVE_INFINITY;
        const signingKids = new Set(versions.map(({ set }) => currentSigningJwk(set).kid));
        for (const kid of signingKids) {
          const signing = versions.map((version, index) => ({ ...version, index })).filter(({ set }) => currentSigningJwk(set).kid === kid);
          const firstSigned = signing[0].writtenAt;
          const lastSigned = until(signing.at(-1)!.index) + schedule.keysCacheSeconds;
          const tokensLiveUntil = lastSigned + schedule.longestTokenLifetimeSeconds;
          const heldByVerifiers = versions.filter(
            (version, index) => until(index) > firstSigned - 2 * schedule.keysCacheSeconds && version.writtenAt < tokensLiveUntil,
          );
          for (const { set } of heldByVerifiers) expect(kids(set)).toContain(kid);
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
