import { InvalidRequest } from '../shared/errors';
import { ACCESS_TOKEN_TYPE, SESSION_TOKEN_TYPE } from './token-types';
import type { UserTokenRequest } from './user-tokens';

export interface TokenExchangeRequest extends UserTokenRequest {
  readonly subjectToken: string;
}

/**
 * The RFC 8693 §2.1 parameters of an exchange of a guichet session token. Client credentials are refused rather
 * than ignored, so that no client believes they were checked; what guichet does not do (actor tokens, other
 * token types) is refused by name.
 */
export function tokenExchangeRequest(form: ReadonlyMap<string, string>, authorization: string | undefined): TokenExchangeRequest {
  if (authorization !== undefined || form.has('client_secret') || form.has('client_assertion')) {
    throw new InvalidRequest('token exchange takes no client authentication: send the session token alone');
  }
  const subjectTokenType = form.get('subject_token_type');
  if (subjectTokenType !== SESSION_TOKEN_TYPE) throw new InvalidRequest(`subject_token_type must be ${SESSION_TOKEN_TYPE}`);
  const subjectToken = form.get('subject_token');
  if (!subjectToken) throw new InvalidRequest('subject_token is required: the session token');
  if (form.has('actor_token') || form.has('actor_token_type')) throw new InvalidRequest('guichet takes no actor token');
  const requested = form.get('requested_token_type');
  if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE)
    throw new InvalidRequest(`requested_token_type can only be ${ACCESS_TOKEN_TYPE}`);
  return { subjectToken, audience: form.get('audience'), resource: form.get('resource'), scope: form.get('scope') };
}
