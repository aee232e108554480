import * as oidc from 'openid-client';
import { type LoginFlowRecord, saveLoginFlow, takeLoginFlow } from '../repositories/login-flows';
import type { AppConfig } from '../shared/config';
import { randomSecret, safeEqual, sha256 } from '../shared/crypto';
import { markDependency } from '../shared/dependencies';
import { AccessDenied, InvalidGrant, InvalidRequest, UpstreamError } from '../shared/errors';
import { type LoginFlow, MetricName } from '../shared/metric-names';
import { countMetric } from '../shared/observability';
import { idpClient, idpClientWithFreshSecret, idpConfiguration } from '../shared/oidc';
import { nowSeconds } from '../shared/time';
import { createSession, type NewSession } from './sessions';
import { sharedIdpDocuments } from './shared-idp-documents';

const CALLBACK_PATH = '/auth/callback';

export interface LoginRequest {
  readonly flow: LoginFlow;
  readonly returnTo: string;
  readonly appCodeChallenge?: string;
  readonly appState?: string;
}

export interface StartedLogin {
  readonly flow: LoginFlow;
  readonly authorizationUrl: string;
  /** The login's `state`, for the browser that starts it to keep for `stateMaxAgeSeconds` and present at the callback. */
  readonly state: string;
  readonly stateMaxAgeSeconds: number;
}

export async function startLogin(request: LoginRequest, config: AppConfig): Promise<StartedLogin> {
  const idp = idpConfiguration(await sharedIdpDocuments().current());
  const state = randomSecret();
  const nonce = randomSecret();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  await saveLoginFlow({
    id: sha256(state),
    ...request,
    codeVerifier,
    nonce,
    expiresAt: nowSeconds() + config.loginFlowTtlSeconds,
  });
  const authorizationUrl = oidc.buildAuthorizationUrl(idp, {
    redirect_uri: `${config.publicUrl}${CALLBACK_PATH}`,
    scope: config.oidcScopes,
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { flow: request.flow, authorizationUrl: authorizationUrl.href, state, stateMaxAgeSeconds: config.loginFlowTtlSeconds };
}

export interface CompletedLogin {
  readonly flow: LoginFlowRecord;
  readonly session: NewSession;
}

/**
 * Finishes a login: checks the state against the one the browser kept, consumes the flow (single use, expiry
 * checked here since TTL deletion lags), redeems the code with PKCE and validates the ID token.
 * `onFlow` learns which flow this was as soon as it is known, for the failure metrics.
 */
export async function completeLogin(
  callback: { readonly rawQueryString: string; readonly stateCookie: string | undefined },
  config: AppConfig,
  onFlow: (flow: LoginFlow) => void,
): Promise<CompletedLogin> {
  const params = new URLSearchParams(callback.rawQueryString);
  const states = params.getAll('state');
  if (states.length !== 1 || !states[0]) throw new InvalidRequest('state is missing');
  const [state] = states;
  if (callback.stateCookie === undefined || !safeEqual(state, callback.stateCookie)) {
    throw new InvalidRequest('this login was not started in this browser');
  }
  const flow = await takeLoginFlow(sha256(state));
  if (!flow) throw new InvalidRequest('unknown or already used state');
  onFlow(flow.flow);
  if (flow.expiresAt <= nowSeconds()) throw new InvalidRequest('the login took too long; start again');

  const callbackUrl = new URL(`${config.publicUrl}${CALLBACK_PATH}?${callback.rawQueryString}`);
  const tokens = await redeemCode(callbackUrl, state, flow);
  const claims = tokens.claims();
  if (!claims) throw new InvalidGrant('the identity provider returned no ID token');
  const session = await createSession(
    {
      issuer: claims.iss,
      sub: claims.sub,
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
      email: verifiedEmail(claims),
      name: typeof claims.name === 'string' ? claims.name : undefined,
      issuedAt: claims.iat,
    },
    flow.flow,
    tokens.id_token,
  );
  return { flow, session };
}

/**
 * The e-mail address of ID token claims, only when the IdP asserts `email_verified: true` (the boolean): where people
 * can set their own address, any other value leaves it theirs to claim (OpenID Connect Core §5.1, §5.7).
 */
export function verifiedEmail(claims: Readonly<Record<string, unknown>>): string | undefined {
  return typeof claims.email === 'string' && claims.email_verified === true ? claims.email : undefined;
}

/**
 * Redeems the code with guichet's client credentials. If the IdP refuses them, the client secret is read again
 * and, when the operator has changed it since this container read it, the code is redeemed once more: the IdP
 * checks the client before it looks at the code.
 */
async function redeemCode(currentUrl: URL, state: string, flow: LoginFlowRecord) {
  const idp = sharedIdpDocuments();
  const documents = await idp.current();
  const grant = async (client: oidc.Configuration) => {
    try {
      return await oidc.authorizationCodeGrant(client, currentUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedNonce: flow.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
    } finally {
      idp.keysUsed(documents, oidc.getJwksCache(client));
    }
  };
  try {
    try {
      return await grant(await idpClient(documents));
    } catch (error) {
      if (!refusesClient(error)) throw error;
      const refreshed = await idpClientWithFreshSecret(documents);
      if (!refreshed) throw error;
      return await grant(refreshed);
    }
  } catch (error) {
    throw asHttpError(error);
  }
}

/** The IdP refused guichet's client authentication: `invalid_client`, in the body or in a 401 challenge. */
function refusesClient(error: unknown): boolean {
  return (
    (error instanceof oidc.ResponseBodyError && error.error === 'invalid_client') ||
    (error instanceof oidc.WWWAuthenticateChallengeError && error.status === 401)
  );
}

/** The IdP's refusals and responses that fail validation are the caller's fault; an unreachable IdP is not. */
function asHttpError(error: unknown): Error {
  if (error instanceof oidc.AuthorizationResponseError) {
    return error.error === 'access_denied'
      ? new AccessDenied('the login was refused at the identity provider')
      : new InvalidRequest(`the identity provider refused the login (${error.error})`);
  }
  if (refusesClient(error)) {
    countMetric(MetricName.DependencyFailed, { dependency: 'idp', reason: 'refused_client' });
    return new UpstreamError("the identity provider refused guichet's client credentials");
  }
  if (error instanceof oidc.ResponseBodyError) return new InvalidGrant('the authorization code was refused');
  if (error instanceof oidc.ClientError && error.code?.startsWith('OAUTH_') && !isNetworkFailure(error)) {
    return new InvalidGrant('the identity provider response failed validation');
  }
  // Unreachable, too slow, or an answer guichet cannot use: the IdP's failure, answered as such.
  return markDependency(error as Error, 'idp');
}

function isNetworkFailure(error: Error): boolean {
  return error.cause instanceof TypeError || error.name === 'TimeoutError' || error.name === 'AbortError';
}
