import { InvalidRequest } from '../shared/errors';

/** An S256 challenge is the base64url SHA-256 of the verifier: exactly 43 characters (RFC 7636 §4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_APP_STATE_LENGTH = 512;

export interface NativeLoginParameters {
  readonly appCodeChallenge: string;
  readonly appState?: string;
}

/**
 * The PKCE parameters a native app must send with its login. `plain` is refused: with it, whoever
 * intercepts the redirect to the custom scheme also has the verifier.
 */
export function nativeLoginParameters(query: {
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly state?: string;
}): NativeLoginParameters {
  if (query.codeChallengeMethod !== 'S256') {
    throw new InvalidRequest('a native login requires code_challenge_method=S256');
  }
  if (!query.codeChallenge || !S256_CHALLENGE.test(query.codeChallenge)) {
    throw new InvalidRequest('a native login requires an S256 code_challenge');
  }
  if (query.state !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (query.state.length > MAX_APP_STATE_LENGTH || /[\u0000-\u001f\u007f]/.test(query.state)) {
      throw new InvalidRequest('state is too long or contains control characters');
    }
  }
  return { appCodeChallenge: query.codeChallenge, appState: query.state };
}
