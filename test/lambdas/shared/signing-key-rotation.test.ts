import { keySetOrNothing, rotatedKeySet } from '../../../lambdas/shared/signing-key-rotation';
import { currentSigningJwk } from '../../../lambdas/shared/signing-keys';

describe('rotatedKeySet', () => {
  it('starts with a current key and a next key already published', async () => {
    const first = await rotatedKeySet(undefined, 'RS256');
    expect(first.keys).toHaveLength(2);
    expect(currentSigningJwk(first)).toBe(first.keys[0]);
  });

  it('promotes the next key, keeps the current one as previous and publishes a new next key', async () => {
    const first = await rotatedKeySet(undefined, 'ES256');
    const second = await rotatedKeySet(first, 'ES256');
    expect(second.keys.map((key) => key.kid)).toEqual([first.keys[0].kid, first.keys[1].kid, second.keys[2].kid]);
    expect(currentSigningJwk(second).kid).toBe(first.keys[1].kid);

    const third = await rotatedKeySet(second, 'ES256');
    expect(third.keys.map((key) => key.kid)).toEqual([second.keys[1].kid, second.keys[2].kid, third.keys[2].kid]);
    expect(new Set(third.keys.map((key) => key.kid)).size).toBe(3);
  });
});

describe('keySetOrNothing', () => {
  it("reads a key set, and nothing from a fresh secret's placeholder", async () => {
    const set = await rotatedKeySet(undefined, 'RS256');
    expect(keySetOrNothing(JSON.stringify(set))?.keys).toHaveLength(2);
    expect(keySetOrNothing('a-random-placeholder')).toBeUndefined();
    expect(keySetOrNothing(undefined)).toBeUndefined();
  });
});
