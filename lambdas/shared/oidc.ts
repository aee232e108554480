import * as oidc from 'openid-client';
import { appConfig } from './config';
import { secretSource } from './secrets';
import { tracedFetch } from './tracing';

export type OidcConfiguration = oidc.Configuration;

/** Keyed by whether the client secret is included: the local server runs every route in one process. */
const discovered = new Map<boolean, Promise<oidc.Configuration>>();

/**
 * The upstream IdP's metadata and guichet's client, discovered once per container. A failed discovery is
 * forgotten so that the next request tries again instead of failing forever.
 * `withClientSecret` is false for routes that only need the metadata (no grant on the secret).
 */
export function idpConfiguration(options: { readonly withClientSecret: boolean }): Promise<oidc.Configuration> {
  const { withClientSecret } = options;
  let configuration = discovered.get(withClientSecret);
  if (!configuration) {
    configuration = discover(withClientSecret).catch((error: unknown) => {
      discovered.delete(withClientSecret);
      throw error;
    });
    discovered.set(withClientSecret, configuration);
  }
  return configuration;
}

async function discover(withClientSecret: boolean): Promise<oidc.Configuration> {
  const { oidc: settings } = appConfig();
  const issuer = new URL(settings.issuer);
  const clientSecret = withClientSecret ? await secretSource().read('oidcClientSecret') : undefined;
  // ID tokens are verified against the IdP's JWKS, not only trusted because they came over TLS.
  const execute = [oidc.enableNonRepudiationChecks];
  if (issuer.protocol === 'http:') execute.push(oidc.allowInsecureRequests);
  return oidc.discovery(
    issuer,
    settings.clientId,
    undefined,
    clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(clientSecret),
    { execute, timeout: 5, [oidc.customFetch]: tracedFetch('idp') as oidc.CustomFetch },
  );
}
