import { findApplication, type ApplicationRecord } from '../repositories/applications';
import { safeEqual, sha256 } from '../shared/crypto';
import { InvalidClient, InvalidRequest } from '../shared/errors';
import { CLIENT_ID_FORMAT } from './application-rules';

export interface PresentedClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly usedBasic: boolean;
}

/**
 * The client credentials of a token request: HTTP Basic (client_secret_basic, with the RFC 6749 §2.3.1
 * form-encoding) or form fields (client_secret_post), never both.
 */
export function presentedClient(authorization: string | undefined, form: ReadonlyMap<string, string>): PresentedClient {
  const basic = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1];
  const inForm = form.has('client_id') || form.has('client_secret');
  if (authorization !== undefined && basic === undefined) {
    throw new InvalidClient('only HTTP Basic client authentication is accepted in the Authorization header', true);
  }
  if (basic !== undefined) {
    if (inForm) throw new InvalidRequest('use one client authentication method, not both');
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) throw new InvalidClient('malformed Basic credentials', true);
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, separator).replace(/\+/g, ' ')),
        clientSecret: decodeURIComponent(decoded.slice(separator + 1).replace(/\+/g, ' ')),
        usedBasic: true,
      };
    } catch {
      throw new InvalidClient('malformed Basic credentials', true);
    }
  }
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (!clientId || !clientSecret) throw new InvalidClient('client authentication is required', false);
  return { clientId, clientSecret, usedBasic: false };
}

/** Compared against when the client is unknown, so that case costs what a wrong secret costs. */
const UNKNOWN_CLIENT_HASH = sha256('guichet: no such client');

/**
 * The active application these credentials authenticate, or invalid_client. The lookup and the
 * constant-time comparison happen whatever is wrong, so the answer's timing does not tell an unknown
 * client from a wrong secret or an inactive application.
 */
export async function authenticateClient(client: PresentedClient): Promise<ApplicationRecord> {
  const application = CLIENT_ID_FORMAT.test(client.clientId) ? await findApplication(client.clientId) : undefined;
  const secretMatches = safeEqual(sha256(client.clientSecret), application?.secretHash ?? UNKNOWN_CLIENT_HASH);
  if (!application || !secretMatches || !application.active) {
    throw new InvalidClient('client authentication failed', client.usedBasic);
  }
  return application;
}
