import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { type ApplicationKeySources, ApplicationKeys, ApplicationKeysUnavailable } from '../../../lambdas/domain/application-keys';
import type { ApplicationKeysItem } from '../../../lambdas/repositories/application-keys';
import type { ApplicationRecord } from '../../../lambdas/repositories/applications';

/**
 * The keys of applications that publish them at a `jwks_uri`, as several containers see them: each its own
 * `ApplicationKeys` over one shared table (a map with the conditional claim of the repository), one clock.
 */
const URI = 'https://keys.partner.example/jwks.json';
let clock: number;
let table: Map<string, Partial<ApplicationKeysItem>>;
let published: unknown;
let fetches: string[];

const application = (overrides: Partial<ApplicationRecord> = {}): ApplicationRecord => ({
  id: 'app_AAAAAAAAAAAAAAAAAAAAAA',
  name: 'Partner',
  active: true,
  scopes: [],
  domains: [],
  jwksUri: URI,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

function container(overrides: Partial<ApplicationKeySources> = {}): ApplicationKeys {
  return new ApplicationKeys({
    readCache: async (id) => (table.has(id) ? { ...table.get(id) } : undefined),
    claimFetch: async (id, uri, now, notAfter, expiresAt) => {
      const item = table.get(id);
      if (item?.lastFetchAt !== undefined && item.lastFetchAt > notAfter && item.lastFetchUri === uri) return false;
      table.set(id, { expiresAt, ...item, id, lastFetchAt: now, lastFetchUri: uri });
      return true;
    },
    saveCache: async (item) => void table.set(item.id, { ...table.get(item.id), ...item }),
    fetchJwks: async (uri) => {
      fetches.push(uri);
      if (published instanceof Error) throw published;
      return published;
    },
    now: () => clock,
    ...overrides,
  });
}

let keys: JWK[];
beforeAll(async () => {
  keys = await Promise.all(['a', 'b'].map(async (kid) => ({ ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid })));
});
beforeEach(() => {
  clock = 1_000_000;
  table = new Map();
  published = { keys: [keys[0]] };
  fetches = [];
});

const kidsOf = (copy: { jwks: { keys: readonly JWK[] } }) => copy.jwks.keys.map((key) => key.kid);

describe('ApplicationKeys', () => {
  it('fetches published keys once, shares them through the table, and holds them in memory for a minute', async () => {
    const [one, two] = [container(), container()];
    expect(kidsOf(await one.current(application()))).toEqual(['a']);
    expect(kidsOf(await two.current(application()))).toEqual(['a']);
    expect(fetches).toEqual([URI]);
    expect(table.get(application().id)).toMatchObject({ jwksUri: URI, fetchedAt: clock, expiresAt: clock + 600 });

    const reads = jest.fn(async () => table.get(application().id));
    const held = container({ readCache: reads });
    await held.current(application());
    await held.current(application());
    clock += 60;
    await held.current(application());
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('uses no copy past its expiry, none whose dates were pushed forward, none of another URI', async () => {
    await container().current(application());
    clock += 600;
    await container().current(application());
    expect(fetches).toHaveLength(2);

    table.set(application().id, { ...table.get(application().id), expiresAt: clock + 10_000 });
    clock += 61;
    await container().current(application());
    expect(fetches).toHaveLength(3);

    await container().current(application({ jwksUri: 'https://keys.partner.example/moved.json' }));
    expect(fetches).toHaveLength(4);
  });

  it('for an unknown kid, fetches again at most once a minute for all containers together', async () => {
    const containers = [container(), container(), container()];
    const used = await Promise.all(containers.map((keysOf) => keysOf.current(application())));
    published = { keys };
    clock += 61;
    const newer = await Promise.all(containers.map((keysOf, index) => keysOf.afterUnknownKey(application(), used[index])));
    expect(fetches).toHaveLength(2);
    expect(kidsOf(newer.find(Boolean)!)).toEqual(['a', 'b']);
    // The others find the winner's keys in the table, without a fetch of their own.
    for (const [index, keysOf] of containers.entries()) {
      expect(kidsOf((await keysOf.afterUnknownKey(application(), used[index]))!)).toEqual(['a', 'b']);
    }
    clock += 30;
    expect(await containers[0].afterUnknownKey(application(), newer.find(Boolean)!)).toBeUndefined();
    expect(fetches).toHaveLength(2);
  });

  it('with no copy, one container fetches at a time, and a failed fetch is tried again after 10 s, not before', async () => {
    published = new Error('connection refused');
    await expect(container().current(application())).rejects.toBeInstanceOf(ApplicationKeysUnavailable);
    await expect(container().current(application())).rejects.toThrow(/being fetched, or could not be fetched a moment ago/);
    expect(fetches).toHaveLength(1);
    clock += 10;
    published = { keys };
    expect(kidsOf(await container().current(application()))).toEqual(['a', 'b']);
    expect(fetches).toHaveLength(2);
  });

  it('keeps only the keys that can verify assertions, and refuses what is not a JWK Set', async () => {
    published = { keys: [keys[0], { kty: 'oct', k: 'c2VjcmV0' }, { ...keys[1], use: 'enc' }] };
    expect(kidsOf(await container().current(application()))).toEqual(['a']);
    published = ['not', 'a', 'set'];
    await expect(container().current(application({ id: 'app_BBBBBBBBBBBBBBBBBBBBBB' }))).rejects.toThrow(/does not serve a JWK Set/);
  });

  it('prefetches the shared copy alongside the record only when it holds none: an absent copy is not read twice', async () => {
    const reads = jest.fn(async (id: string) => table.get(id));
    const keysOf = container({ readCache: reads });
    const prefetched = await keysOf.prefetch(application().id);
    expect(prefetched).toEqual({ item: undefined });
    await keysOf.current(application(), prefetched);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(fetches).toHaveLength(1);
    expect(await keysOf.prefetch(application().id)).toBeUndefined();
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('takes registered keys from the record, checked once, with no table or fetch', async () => {
    const reads = jest.fn();
    const keysOf = container({ readCache: reads });
    const record = application({ jwksUri: undefined, jwks: JSON.stringify({ keys }) });
    const first = await keysOf.current(record);
    expect(kidsOf(first)).toEqual(['a', 'b']);
    expect(await keysOf.current(record)).toBe(first);
    expect(await keysOf.afterUnknownKey(record, first)).toBeUndefined();
    expect(reads).not.toHaveBeenCalled();
    expect(fetches).toEqual([]);
    expect(await keysOf.prefetch(record.id)).toBeUndefined();
    await expect(keysOf.current(application({ jwksUri: undefined }))).rejects.toBeInstanceOf(ApplicationKeysUnavailable);
  });
});
