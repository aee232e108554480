import * as oidc from 'openid-client';
import { appConfig } from './config';
import { markDependency } from './dependencies';
import { cachedSecret } from './secrets';
import { tracedFetch } from './tracing';

export type OidcConfiguration = oidc.Configuration;

/** Seconds guichet waits for the IdP on each call. */
const IDP_TIMEOUT_SECONDS = 5;

let discovered: Promise<oidc.Configuration> | undefined;
const clientSecret = cachedSecret('oidcClientSecret');

/**
 * The upstream IdP's metadata, discovered once per container, without client authentication (for the routes
 * that only need the metadata and have no grant on the client secret). A failed discovery is forgotten so that
 * the next request tries again instead of failing forever.
 */
export function idpMetadata(): Promise<oidc.Configuration> {
  discovered ??= discover().catch((error: unknown) => {
    discovered = undefined;
    throw error;
  });
  return discovered;
}

/** guichet's client at the IdP: the metadata and the client secret, read once per container. */
export async function idpClient(): Promise<oidc.Configuration> {
  return clientOf(await idpMetadata(), await clientSecret());
}

/**
 * After the IdP refused guichet's client credentials: the client with the secret read again, or undefined when
 * it has not changed. A container started before the operator set the secret would otherwise keep refusing.
 */
export async function idpClientWithFreshSecret(): Promise<oidc.Configuration | undefined> {
  const known = await clientSecret();
  const fresh = await clientSecret.refresh();
  return fresh === known ? undefined : clientOf(await idpMetadata(), fresh);
}

/** Any failure of discovery is the IdP's: unreachable, too slow, or a document guichet cannot use. */
async function discover(): Promise<oidc.Configuration> {
  const { issuer, clientId } = appConfig().oidc;
  return oidc
    .discovery(new URL(issuer), clientId, undefined, oidc.None(), {
      execute: executeOptions(issuer),
      timeout: IDP_TIMEOUT_SECONDS,
      [oidc.customFetch]: tracedFetch('idp') as oidc.CustomFetch,
    })
    .catch((error: unknown) => Promise.reject(markDependency(error, 'idp')));
}

function clientOf(metadata: oidc.Configuration, secret: string): oidc.Configuration {
  const client = new oidc.Configuration(metadata.serverMetadata(), metadata.clientMetadata().client_id, undefined, oidc.ClientSecretBasic(secret));
  for (const option of executeOptions(appConfig().oidc.issuer)) option(client);
  client.timeout = IDP_TIMEOUT_SECONDS;
  client[oidc.customFetch] = tracedFetch('idp') as oidc.CustomFetch;
  return client;
}

/** ID tokens are verified against the IdP's JWKS, not only trusted for coming over TLS; http only on loopback. */
function executeOptions(issuer: string): ((configuration: oidc.Configuration) => void)[] {
  const options = [oidc.enableNonRepudiationChecks];
  if (new URL(issuer).protocol === 'http:') options.push(oidc.allowInsecureRequests);
  return options;
}
