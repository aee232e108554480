import { loadConfig } from '../../lambdas/shared/config';
import { SETTINGS } from '../../lambdas/settings';

/** Set by the stack from the API it creates, so no operator setting. */
const PUBLIC_URL_VARIABLE = 'GUICHET_PUBLIC_URL';

test('the handlers read exactly the variables of the settings table, besides the public URL', () => {
  const read = new Set<string>();
  const env: Record<string, string> = {
    [PUBLIC_URL_VARIABLE]: 'https://auth.example.com',
    OIDC_ISSUER: 'https://idp.example.com',
    OIDC_CLIENT_ID: 'guichet',
  };
  loadConfig(
    new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name);
      },
    }),
  );
  read.delete(PUBLIC_URL_VARIABLE);
  expect([...read].sort()).toEqual(SETTINGS.map((setting) => setting.envVar).sort());
});

test('each context key is its variable in camel case, so neither can be mistyped', () => {
  for (const { envVar, contextKey } of SETTINGS) {
    expect(contextKey).toBe(envVar.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()));
  }
});
