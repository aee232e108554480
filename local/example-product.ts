/**
 * The product API local mode shows out of the box: an audience of API_AUDIENCES with two scopes and a back-channel
 * logout endpoint (the product's backend on the playground's app origin, which guichet tells of every session that
 * ends), and the example route (`exampleProductApi`) that requires one of the scopes. A developer's own
 * API_AUDIENCES replaces it; the example route stays only while its audience is listed.
 */
export const EXAMPLE_PRODUCT = {
  audience: 'https://api.product.example',
  scopes: ['profile:read', 'notes:write'],
  routeScope: 'profile:read',
} as const;

/** Where the product's backend on the app origin receives guichet's logout tokens. */
export const PRODUCT_LOGOUT_PATH = '/api/backchannel-logout';

/**
 * The context of the example product API, given the context from the developer's settings and the origin where the
 * product's backend runs (the playground's app origin), whose logout endpoint it registers.
 */
export function exampleProductContext(settings: Readonly<Record<string, string>>, productOrigin: string): Record<string, string> {
  const registration = { scopes: EXAMPLE_PRODUCT.scopes, backchannel_logout_uri: `${productOrigin}${PRODUCT_LOGOUT_PATH}` };
  const apiAudiences = settings.apiAudiences ?? JSON.stringify({ [EXAMPLE_PRODUCT.audience]: registration });
  const listed: unknown = safeParse(apiAudiences);
  const value = typeof listed === 'object' && listed !== null ? (listed as Record<string, unknown>)[EXAMPLE_PRODUCT.audience] : undefined;
  const scopes = Array.isArray(value) ? value : (value as { scopes?: unknown } | undefined)?.scopes;
  const withExample = Array.isArray(scopes) && scopes.includes(EXAMPLE_PRODUCT.routeScope);
  return {
    apiAudiences,
    ...(withExample
      ? { exampleProductApi: JSON.stringify({ audience: EXAMPLE_PRODUCT.audience, scope: EXAMPLE_PRODUCT.routeScope }) }
      : {}),
  };
}

/** Invalid JSON is left for the stack's validation to report, with every other problem. */
function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
