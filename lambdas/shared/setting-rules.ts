/**
 * Rules of the operator's settings that both the CDK app (at synth) and the handlers (at start) apply, so a
 * deployment is refused for the same reasons as a Lambda. Each returns what is wrong, for the caller to prefix
 * with the name the operator typed (context key or environment variable), or undefined.
 */

/** Hosts where plain http stays on the machine: a development IdP or browser app. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

const LOOPBACK_HOST_LIST = [...LOOPBACK_HOSTS].join(', ');

/** An upstream IdP issuer: https, or http on a loopback host (local mode's development IdP); no query or fragment. */
export function issuerProblem(issuer: string): string | undefined {
  const url = httpUrl(issuer);
  // URL drops a bare "?" or "#", so the raw text is checked too.
  if (!url || /[?#]/.test(issuer)) return 'must be an http(s) URL without query or fragment';
  if (!isSecureOrLoopback(url)) {
    return `must use https (plain http is only accepted on a loopback address: ${LOOPBACK_HOST_LIST})`;
  }
  return undefined;
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
}
