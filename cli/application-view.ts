import { type CredentialKind, credentialKind, operatorJwks, validSecrets } from '../lambdas/domain/application-credentials';
import { allowsAnyDomain } from '../lambdas/domain/application-rules';
import type { ApplicationRecord } from '../lambdas/repositories/applications';
import { nowSeconds } from '../lambdas/shared/time';

/** A valid secret as the CLI shows it: when it was made (null when not recorded, before rotations kept one) and until when. */
export interface SecretView {
  readonly created_at: string | null;
  /** null for the current secret: valid until the next rotation. */
  readonly expires_at: string | null;
}

/** A registered public key, by what identifies it (never more is needed to tell keys apart). */
export interface KeyView {
  readonly kid: string | null;
  readonly kty: string;
  readonly alg: string | null;
}

/** What the CLI shows of an application: everything but its secret hashes. */
export interface ApplicationView {
  readonly client_id: string;
  readonly name: string;
  readonly active: boolean;
  readonly scopes: readonly string[];
  /** As stored: empty, it may act for no user; `['*']`, for users of any domain; else for those domains. */
  readonly domains: readonly string[];
  /** `secret`: client_secret_basic or client_secret_post; `keys`: private_key_jwt. */
  readonly credentials: CredentialKind;
  /** The valid secrets, the current one first (secret applications). */
  readonly secrets?: readonly SecretView[];
  /** Where it publishes its keys, or the keys registered (keys applications). */
  readonly jwks_uri?: string;
  readonly keys?: readonly KeyView[];
  readonly created_at: string;
  readonly updated_at: string;
}

export function applicationView(record: ApplicationRecord): ApplicationView {
  const credentials = credentialKind(record);
  return {
    client_id: record.id,
    name: record.name,
    active: record.active,
    scopes: record.scopes,
    domains: record.domains,
    credentials,
    ...(credentials === 'secret' && { secrets: secretViews(record) }),
    ...(record.jwksUri !== undefined && { jwks_uri: record.jwksUri }),
    ...(record.jwks !== undefined && { keys: keyViews(record.jwks) }),
    created_at: isoTime(record.createdAt),
    updated_at: isoTime(record.updatedAt),
  };
}

/** Several lines about one application. */
export function describeApplication(record: ApplicationRecord): string {
  const view = applicationView(record);
  const line = (label: string, value: string) => `  ${label.padEnd(11)}  ${value}`;
  return [
    `${view.client_id}  ${view.name}`,
    line('status', status(record)),
    line('scopes', scopeList(record)),
    line('delegation', delegation(record)),
    line('credentials', credentials(record)),
    ...(view.secrets ?? []).map((secret) => line('secret', secretText(secret))),
    ...(view.jwks_uri === undefined ? [] : [line('jwks_uri', view.jwks_uri)]),
    ...(view.keys ?? []).map((key) => line('key', keyText(key))),
    line('created', view.created_at),
    line('updated', view.updated_at),
  ].join('\n');
}

/** One line per application, in aligned columns. */
export function applicationTable(records: readonly ApplicationRecord[]): string {
  if (records.length === 0) return 'No applications.';
  const rows = [
    ['CLIENT ID', 'STATUS', 'NAME', 'SCOPES', 'DELEGATION', 'CREDENTIALS'],
    ...records.map((record) => [record.id, status(record), record.name, scopeList(record), delegation(record), credentials(record)]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const status = (record: ApplicationRecord): string => (record.active ? 'active' : 'disabled');
export const scopeList = (record: ApplicationRecord): string => record.scopes.join(', ') || '(none)';

/** Whom it may act for with `subject`, in words. */
export function delegation(record: ApplicationRecord): string {
  if (record.domains.length === 0) return 'none';
  return allowsAnyDomain(record.domains) ? 'any domain (*)' : record.domains.join(', ');
}

/** How it authenticates, in words: `secret`, `2 secrets` during a rotation's grace period, or its keys. */
export function credentials(record: ApplicationRecord): string {
  if (credentialKind(record) === 'secret') {
    const count = validSecrets(record, nowSeconds()).length;
    return count === 1 ? 'secret' : `${count} secrets`;
  }
  if (record.jwksUri !== undefined) return 'keys at jwks_uri (private_key_jwt)';
  const count = keyViews(record.jwks ?? '').length;
  return `${count} ${count === 1 ? 'key' : 'keys'} (private_key_jwt)`;
}

function secretViews(record: ApplicationRecord): SecretView[] {
  return validSecrets(record, nowSeconds()).map((secret) => ({
    created_at: secret.createdAt === undefined ? null : isoTime(secret.createdAt),
    expires_at: secret.expiresAt === undefined ? null : isoTime(secret.expiresAt),
  }));
}

function keyViews(jwksText: string): KeyView[] {
  let jwks: ReturnType<typeof operatorJwks>;
  try {
    jwks = operatorJwks(JSON.parse(jwksText));
  } catch {
    return [];
  }
  if ('problem' in jwks) return [];
  return jwks.keys.map((key) => ({ kid: key.kid ?? null, kty: String(key.kty), alg: key.alg ?? null }));
}

function secretText(secret: SecretView): string {
  const created = `created ${secret.created_at ?? '(not recorded)'}`;
  return secret.expires_at === null ? `${created}, current` : `${created}, previous, valid until ${secret.expires_at}`;
}

function keyText(key: KeyView): string {
  return `${key.kid ?? '(no kid)'}  ${key.kty}${key.alg === null ? '' : ` ${key.alg}`}`;
}

export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
