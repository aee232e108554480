import type { HttpResult } from '../shared/http';

/** Where the web login returns an add-in's login dialog to, for the confirmation. */
export const ADDIN_CALLBACK_PATH = '/addons/callback';

/**
 * The add-in's login dialog keeps its opener, the add-in's page, from the transit page through the login's redirects
 * to the callback page, which hands that page the completion code with `postMessage`: guichet's
 * `Cross-Origin-Opener-Policy: same-origin` on any of these answers, redirects included, would cut the window off
 * from it (and Office on the web's dialog from its add-in). These answers alone relax it.
 */
export function keepingOpener(result: HttpResult): HttpResult {
  return { ...result, headers: { ...result.headers, 'Cross-Origin-Opener-Policy': 'unsafe-none' } };
}
