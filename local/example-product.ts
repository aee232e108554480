/**
 * The product API local mode shows out of the box: an audience of API_AUDIENCES with two scopes, and the example
 * route (`exampleProductApi`) that requires one of them. A developer's own API_AUDIENCES replaces it; the example
 * route stays only while its audience is listed.
 */
export const EXAMPLE_PRODUCT = {
  audience: 'https://api.product.example',
  scopes: ['profile:read', 'notes:write'],
  routeScope: 'profile:read',
} as const;

/** The context of the example product API, given the context from the developer's settings. */
export function exampleProductContext(settings: Readonly<Record<string, string>>): Record<string, string> {
  const apiAudiences = settings.apiAudiences ?? JSON.stringify({ [EXAMPLE_PRODUCT.audience]: EXAMPLE_PRODUCT.scopes });
  const listed: unknown = safeParse(apiAudiences);
  const scopes = typeof listed === 'object' && listed !== null ? (listed as Record<string, unknown>)[EXAMPLE_PRODUCT.audience] : undefined;
  const withExample = Array.isArray(scopes) && scopes.includes(EXAMPLE_PRODUCT.routeScope);
  return {
    apiAudiences,
    ...(withExample ? { exampleProductApi: JSON.stringify({ audience: EXAMPLE_PRODUCT.audience, scope: EXAMPLE_PRODUCT.routeScope }) } : {}),
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
