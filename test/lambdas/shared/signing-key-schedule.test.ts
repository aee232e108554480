import { loadConfig } from '../../../lambdas/shared/config';
import {
  keySchedule,
  minimumPublicationSeconds,
  retentionSeconds,
  SIGNED_TOKEN_LIFETIME_SETTINGS,
} from '../../../lambdas/shared/signing-key-schedule';

const config = loadConfig({
  GUICHET_PUBLIC_URL: 'https://auth.example.com',
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'guichet',
});
/** Lifetimes of what guichet does not sign with its keys: opaque secrets and server-side state. */
const NOT_SIGNED = [
  'sessionTtlSeconds',
  'loginFlowTtlSeconds',
  'exchangeCodeTtlSeconds',
  'addonsSessionTtlSeconds',
  'addonsTransitTokenTtlSeconds',
];

describe('the lifetimes a rotation waits for', () => {
  it('are every lifetime of the configuration but those of what guichet does not sign: a new one must say which it is', () => {
    const lifetimes = Object.keys(config).filter((field) => /TtlSeconds$/.test(field));
    expect(lifetimes.filter((field) => !NOT_SIGNED.includes(field)).sort()).toEqual([...SIGNED_TOKEN_LIFETIME_SETTINGS].sort());
  });

  it("have the configuration's defaults", () => {
    const longest = Math.max(...SIGNED_TOKEN_LIFETIME_SETTINGS.map((setting) => config[setting]));
    expect(keySchedule({})).toEqual({ keysCacheSeconds: config.signingKeysCacheSeconds, longestTokenLifetimeSeconds: longest });
  });
});

describe('keySchedule', () => {
  it('takes the longest token lifetime, set or default, and the key cache', () => {
    expect(keySchedule({})).toEqual({ keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 });
    expect(keySchedule({ accessTokenTtlSeconds: 600, addonsTokenTtlSeconds: 900, signingKeysCacheSeconds: 60 })).toEqual({
      keysCacheSeconds: 60,
      longestTokenLifetimeSeconds: 900,
    });
    expect(keySchedule({ userTokenTtlSeconds: 7200 }).longestTokenLifetimeSeconds).toBe(7200);
  });

  it('counts the tokens whose lifetime no setting changes: the logout tokens sent to product backends', () => {
    const shortLived = { accessTokenTtlSeconds: 60, addonsTokenTtlSeconds: 60, userTokenTtlSeconds: 60 };
    expect(keySchedule(shortLived).longestTokenLifetimeSeconds).toBe(120);
  });

  it('publishes a key for the cache plus the longest lifetime (at least twice the cache) and keeps it the cache plus the lifetime', () => {
    expect(minimumPublicationSeconds({ keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 })).toBe(3900);
    expect(retentionSeconds({ keysCacheSeconds: 300, longestTokenLifetimeSeconds: 3600 })).toBe(3900);
  });
});
