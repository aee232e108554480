import { randomBytes } from 'node:crypto';
import { isScopeToken } from '../shared/scopes';

/**
 * The rules of machine-to-machine applications, free of storage: identifiers, scopes and e-mail domain
 * delegation. Shared by the token endpoint and the operator CLI.
 */

/** A client id: public, unguessable enough not to be enumerated. */
export function newClientId(): string {
  return `app_${randomBytes(16).toString('base64url')}`;
}

export const CLIENT_ID_FORMAT = /^app_[A-Za-z0-9_-]{22}$/;

/** The scope tokens of a space- or comma-separated list, deduplicated, in order; throws on a bad token. */
export function parseScopes(text: string, separator: RegExp = /[\s,]+/): string[] {
  const scopes = text.split(separator).filter(Boolean);
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new Error(`invalid scope "${scope}"`);
  }
  return [...new Set(scopes)];
}

/** A DNS domain name, lower-cased, with at least two labels; throws otherwise. */
export function normalizeDomain(text: string): string {
  const domain = text.trim().toLowerCase();
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((part) => label.test(part))) {
    throw new Error(`invalid domain "${text}"`);
  }
  return domain;
}

/**
 * The domain of an e-mail address, lower-cased, or undefined if it is not one. Deliberately strict: one
 * "@", a plain local part, a valid domain; no quoted local parts, comments or IP literals.
 */
export function emailDomain(email: string): string | undefined {
  if (email.length > 254) return undefined;
  const at = email.indexOf('@');
  if (at < 1 || at !== email.lastIndexOf('@')) return undefined;
  const local = email.slice(0, at);
  if (
    local.length > 64 ||
    !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/.test(local) ||
    local.startsWith('.') ||
    local.endsWith('.') ||
    local.includes('..')
  ) {
    return undefined;
  }
  try {
    return normalizeDomain(email.slice(at + 1));
  } catch {
    return undefined;
  }
}

/** The explicit grant to act for users of any domain: `--domains '*'`, stored as the whole list. */
export const ANY_DOMAIN = '*';

/**
 * Marks the records written under the current delegation rule (an empty list means no delegation). A
 * record without it predates that rule, when an empty list meant any domain; the operator reviews those
 * with `npm run apps -- migrate-delegation`.
 */
export const DELEGATION_MODEL = 2;

/** Whether the allowed domains are the explicit wildcard, alone. */
export function allowsAnyDomain(allowedDomains: readonly string[]): boolean {
  return allowedDomains.length === 1 && allowedDomains[0] === ANY_DOMAIN;
}

/**
 * Whether an application may act for this address. Closed by default: no allowed domain means no
 * delegation at all, and only the wildcard alone (`['*']`) allows any domain. Otherwise the address's
 * domain must equal one of the allowed domains exactly (no suffix or prefix match: `evil-example.com` and
 * `example.com.evil.org` are not `example.com`).
 */
export function mayActFor(email: string, allowedDomains: readonly string[]): boolean {
  const domain = emailDomain(email);
  if (domain === undefined) return false;
  return allowsAnyDomain(allowedDomains) || allowedDomains.includes(domain);
}
