/** RFC 6749 §3.3 scope-token: printable ASCII but space, double quote and backslash. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A scope token this service accepts: RFC 6749's, at most 128 characters. The rule of the scopes applications are
 * granted (domain/application-rules.ts) and of the scopes an operator lists for a product API (setting-rules.ts).
 */
export function isScopeToken(text: string): boolean {
  return SCOPE_TOKEN.test(text) && text.length <= 128;
}
