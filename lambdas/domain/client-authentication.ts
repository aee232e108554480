import { type ApplicationRecord, findApplication } from '../repositories/applications';
import { recordAssertionJti } from '../repositories/client-assertion-jtis';
import type { AppConfig } from '../shared/config';
import { safeEqual, sha256 } from '../shared/crypto';
import { InvalidClient, InvalidRequest } from '../shared/errors';
import { logger } from '../shared/observability';
import { nowSeconds } from '../shared/time';
import { credentialKind, secretHashesToCompare } from './application-credentials';
import { ApplicationKeysUnavailable, applicationKeys, type PrefetchedKeys } from './application-keys';
import { CLIENT_ID_FORMAT } from './application-rules';
import {
  AssertionKeyUnknown,
  AssertionRefused,
  assertedClientId,
  CLIENT_ASSERTION_TYPE,
  MAX_ASSERTION_BYTES,
  type VerifiedAssertion,
  verifyClientAssertion,
} from './client-assertion';

/** A client secret, from HTTP Basic (client_secret_basic) or the form (client_secret_post). */
export interface PresentedSecret {
  readonly method: 'client_secret_basic' | 'client_secret_post';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly usedBasic: boolean;
}

/** A client assertion (private_key_jwt); the client id is the one it names, unverified until its signature is. */
export interface PresentedAssertion {
  readonly method: 'private_key_jwt';
  readonly clientId: string;
  readonly assertion: string;
  readonly usedBasic: false;
}

export type PresentedClient = PresentedSecret | PresentedAssertion;

const ASSERTION_FIELDS = ['client_assertion', 'client_assertion_type'];

/**
 * The client credentials of a token request: HTTP Basic (client_secret_basic, with the RFC 6749 §2.3.1
 * form-encoding), form fields (client_secret_post), or a client assertion (private_key_jwt, RFC 7523 §2.2, with an
 * optional `client_id` that must name the same client); never two methods at once (RFC 6749 §2.3).
 */
export function presentedClient(authorization: string | undefined, form: ReadonlyMap<string, string>): PresentedClient {
  const basic = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1];
  const withAssertion = ASSERTION_FIELDS.some((field) => form.has(field));
  const inForm = form.has('client_id') || form.has('client_secret') || withAssertion;
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
        method: 'client_secret_basic',
        clientId: decodeURIComponent(decoded.slice(0, separator).replace(/\+/g, ' ')),
        clientSecret: decodeURIComponent(decoded.slice(separator + 1).replace(/\+/g, ' ')),
        usedBasic: true,
      };
    } catch {
      throw new InvalidClient('malformed Basic credentials', true);
    }
  }
  if (withAssertion) return presentedAssertion(form);
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (!clientId || !clientSecret) throw new InvalidClient('client authentication is required', false);
  return { method: 'client_secret_post', clientId, clientSecret, usedBasic: false };
}

function presentedAssertion(form: ReadonlyMap<string, string>): PresentedAssertion {
  if (form.has('client_secret')) throw new InvalidRequest('use one client authentication method, not both');
  if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
    throw new InvalidClient(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`, false);
  }
  const assertion = form.get('client_assertion') ?? '';
  const clientId = Buffer.byteLength(assertion) <= MAX_ASSERTION_BYTES ? assertedClientId(assertion) : undefined;
  if (clientId === undefined) throw new InvalidClient('client_assertion is not a JWT naming its client in sub', false);
  if (form.has('client_id') && form.get('client_id') !== clientId) {
    throw new InvalidClient('client_id is not the client the assertion names', false);
  }
  return { method: 'private_key_jwt', clientId, assertion, usedBasic: false };
}

/** What client authentication reads before it can decide: looked up together with the failure budget's take. */
export interface ClientLookup {
  readonly presented: PresentedClient;
  readonly application?: ApplicationRecord;
  /** The shared copy of the keys the application publishes, read when an assertion came and this container holds none. */
  readonly publishedKeys?: PrefetchedKeys;
}

/** Parses the client credentials and reads the application they name (and for an assertion, its published keys). */
export async function lookUpClient(authorization: string | undefined, form: ReadonlyMap<string, string>): Promise<ClientLookup> {
  const presented = presentedClient(authorization, form);
  if (!CLIENT_ID_FORMAT.test(presented.clientId)) return { presented };
  const [application, publishedKeys] = await Promise.all([
    findApplication(presented.clientId),
    presented.method === 'private_key_jwt' ? applicationKeys().prefetch(presented.clientId) : undefined,
  ]);
  return { presented, application, publishedKeys };
}

/**
 * The active application these credentials authenticate, or invalid_client. For a secret, the same work happens
 * whatever is wrong: both hashes (the current secret's and, in its grace period, the previous one's, or stand-ins)
 * are compared in constant time, so the answer's timing tells neither an unknown client from a wrong secret or an
 * inactive application, nor which secret matched.
 */
export async function authenticateClient(
  { presented, application, publishedKeys }: ClientLookup,
  config: Pick<AppConfig, 'publicUrl'>,
): Promise<ApplicationRecord> {
  if (presented.method === 'private_key_jwt') return authenticateAssertion(presented, application, publishedKeys, config);
  const presentedHash = sha256(presented.clientSecret);
  const [current, previous] = secretHashesToCompare(application, nowSeconds());
  const matchesCurrent = safeEqual(presentedHash, current);
  const matchesPrevious = safeEqual(presentedHash, previous);
  if (!application || !(matchesCurrent || matchesPrevious) || !application.active) {
    throw new InvalidClient('client authentication failed', presented.usedBasic);
  }
  return application;
}

/**
 * private_key_jwt: the assertion verified with the application's keys (fetched again once for an unknown `kid`),
 * then, for an active application only, its `jti` recorded in one conditional write, so that a replay fails.
 */
async function authenticateAssertion(
  presented: PresentedAssertion,
  application: ApplicationRecord | undefined,
  publishedKeys: PrefetchedKeys | undefined,
  config: Pick<AppConfig, 'publicUrl'>,
): Promise<ApplicationRecord> {
  const refuse = (reason: string) => {
    logger.info('client assertion refused', { application: application?.id, reason });
    return new InvalidClient('client authentication failed', false);
  };
  if (!application || credentialKind(application) !== 'keys') throw refuse(application ? 'no_keys' : 'unknown_client');
  const now = nowSeconds();
  const expected = { clientId: application.id, audiences: [config.publicUrl, `${config.publicUrl}/oauth/token`], now };
  const keys = applicationKeys();
  let verified: VerifiedAssertion;
  try {
    const used = await keys.current(application, publishedKeys);
    verified = await verifyClientAssertion(presented.assertion, used.jwks, expected).catch(async (error: unknown) => {
      if (!(error instanceof AssertionKeyUnknown)) throw error;
      const newer = await keys.afterUnknownKey(application, used);
      if (!newer) throw error;
      return verifyClientAssertion(presented.assertion, newer.jwks, expected);
    });
  } catch (error) {
    if (error instanceof AssertionRefused) throw refuse(error.reason);
    if (error instanceof ApplicationKeysUnavailable) throw refuse('keys_unavailable');
    throw error;
  }
  if (!application.active) throw refuse('inactive');
  if (!(await recordAssertionJti(sha256(JSON.stringify([application.id, verified.jti])), verified.deadAt, now))) throw refuse('replayed');
  return application;
}
