import * as oidc from 'openid-client';
import { appConfig } from './config';
import { markDependency } from './dependencies';
import { type IdpDocuments, keysProblem } from './idp-documents';
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
  discovered ??= discoverIdp().catch((error: unknown) => {
    discovered = undefined;
    throw error;
  });
  return discovered;
}

/** One discovery at the IdP, now. Any failure is the IdP's: unreachable, too slow, or a document guichet cannot use. */
export async function discoverIdp(): Promise<oidc.Configuration> {
  const { oidcIssuer: issuer, oidcClientId: clientId } = appConfig();
  return oidc
    .discovery(new URL(issuer), clientId, undefined, oidc.None(), {
      execute: executeOptions(issuer),
      timeout: IDP_TIMEOUT_SECONDS,
      [oidc.customFetch]: tracedFetch('idp') as oidc.CustomFetch,
    })
    .catch((error: unknown) => Promise.reject(markDependency(error, 'idp')));
}

/** The IdP's JWKS, fetched now from the `jwks_uri` of its metadata, as openid-client fetches it (no redirects). */
export async function fetchIdpKeys(metadata: oidc.ServerMetadata): Promise<oidc.JWKS> {
  try {
    const response = await tracedFetch('idp')(metadata.jwks_uri!, {
      headers: { accept: 'application/json, application/jwk-set+json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(IDP_TIMEOUT_SECONDS * 1000),
    });
    if (response.status !== 200) throw new Error(`the identity provider's jwks_uri answered ${response.status}`);
    const jwks: unknown = await response.json();
    const problem = keysProblem(jwks);
    if (problem) throw new Error(problem);
    return jwks as oidc.JWKS;
  } catch (error) {
    throw markDependency(error, 'idp');
  }
}

/** The IdP as a login's redirect needs it: its metadata, no client authentication. */
export function idpConfiguration(documents: IdpDocuments): oidc.Configuration {
  return configurationOf(documents, oidc.None());
}

/** guichet's client at the IdP: its documents and the client secret, read once per container. */
export async function idpClient(documents: IdpDocuments): Promise<oidc.Configuration> {
  return configurationOf(documents, oidc.ClientSecretBasic(await clientSecret()));
}

/**
 * After the IdP refused guichet's client credentials: the client with the secret read again, or undefined when
 * it has not changed. A container started before the operator set the secret would otherwise keep refusing.
 */
export async function idpClientWithFreshSecret(documents: IdpDocuments): Promise<oidc.Configuration | undefined> {
  const known = await clientSecret();
  const fresh = await clientSecret.refresh();
  return fresh === known ? undefined : configurationOf(documents, oidc.ClientSecretBasic(fresh));
}

/**
 * A configuration made from the documents. Their keys, when they have some, go to openid-client's own JWKS cache:
 * it verifies ID tokens with them while they are less than 300 s old, and fetches the IdP's JWKS itself when they
 * are older or lack the token's `kid` (key rotation at the IdP).
 */
function configurationOf(documents: IdpDocuments, authentication: oidc.ClientAuth): oidc.Configuration {
  const { oidcIssuer: issuer, oidcClientId: clientId } = appConfig();
  const configuration = new oidc.Configuration(documents.metadata, clientId, undefined, authentication);
  for (const option of executeOptions(issuer)) option(configuration);
  configuration.timeout = IDP_TIMEOUT_SECONDS;
  configuration[oidc.customFetch] = tracedFetch('idp') as oidc.CustomFetch;
  if (documents.keys) oidc.setJwksCache(configuration, documents.keys);
  return configuration;
}

/** ID tokens are verified against the IdP's JWKS, not only trusted for coming over TLS; http only on loopback. */
function executeOptions(issuer: string): ((configuration: oidc.Configuration) => void)[] {
  const options = [oidc.enableNonRepudiationChecks];
  if (new URL(issuer).protocol === 'http:') options.push(oidc.allowInsecureRequests);
  return options;
}
