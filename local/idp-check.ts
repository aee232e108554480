/**
 * What `npm start` checks of the IdP that OIDC_ISSUER names before it serves anything: that its discovery
 * document can be fetched, is JSON, names that issuer and the endpoints guichet uses. A local guichet that
 * started anyway would answer every login with an error; this says what is wrong, once, at the start.
 */
const TIMEOUT_MS = 5000;
const REQUIRED_ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

export async function checkIdentityProvider(issuer: string): Promise<void> {
  const fail = (problem: string): never => {
    throw new Error(
      `the identity provider OIDC_ISSUER names (${issuer}) cannot be used: ${problem}. Check OIDC_ISSUER, or unset it to use the development IdP.`,
    );
  };
  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return fail(
      cause === 'TimeoutError'
        ? `${discoveryUrl} did not answer within ${TIMEOUT_MS / 1000} s`
        : `${discoveryUrl} could not be reached (${cause})`,
    );
  }
  if (!response.ok) return fail(`${discoveryUrl} answered ${response.status}`);
  let document: Record<string, unknown>;
  try {
    document = (await response.json()) as Record<string, unknown>;
  } catch {
    return fail(`${discoveryUrl} is not a JSON discovery document`);
  }
  if (document.issuer !== issuer) return fail(`its discovery document names the issuer ${JSON.stringify(document.issuer)}, not ${issuer}`);
  const missing = REQUIRED_ENDPOINTS.filter((endpoint) => typeof document[endpoint] !== 'string');
  if (missing.length > 0) fail(`its discovery document has no ${missing.join(', ')}`);
}
