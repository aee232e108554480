import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';

/** An `AWS::ApiGatewayV2::Authorizer` of type JWT, resolved. */
export interface JwtAuthorizerConfiguration {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** `$request.header.<Name>`: where the token is. */
  readonly identitySource: string;
}

/** What the integration receives in `requestContext.authorizer.jwt` (payload format 2.0). */
export interface JwtAuthorizerContext {
  readonly claims: Record<string, string>;
  readonly scopes: string[] | null;
}

export type Authorization =
  | { readonly outcome: 'allowed'; readonly context: JwtAuthorizerContext }
  | { readonly outcome: 'unauthorized' | 'forbidden'; readonly wwwAuthenticate: string };

/** API Gateway's JWT authorizers verify RSA signatures only. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/**
 * API Gateway's JWT authorizer, as its documentation describes it: the token from the identity source (a `Bearer `
 * prefix is optional), an RSA signature by a key of the issuer's JWKS (found through
 * `<issuer>/.well-known/openid-configuration`) whose `kid` the token names, `iss` equal to the issuer, `aud` (or
 * `client_id` when there is no `aud`) among the audiences, `exp` to come, `nbf` and `iat` past, and — for a route
 * with authorization scopes — `scope` or `scp` holding one of them. No token or a bad one: 401; a good token without
 * the scope: 403. Claims reach the integration as strings.
 */
export class LocalJwtAuthorizer {
  private jwks?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  constructor(private readonly configuration: JwtAuthorizerConfiguration) {}

  async authorize(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    routeScopes: readonly string[],
  ): Promise<Authorization> {
    const headerName = this.configuration.identitySource.replace(/^\$request\.header\./i, '').toLowerCase();
    const value = headers[headerName];
    const token = (Array.isArray(value) ? value[0] : value)?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return refused('unauthorized', '');

    if (!namesKey(token)) return refused('unauthorized', 'the token is not a JWT naming its key');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(), { issuer: this.configuration.issuer, algorithms: RSA_ALGORITHMS }));
    } catch (error) {
      if (!(error instanceof errors.JOSEError)) throw error;
      return refused('unauthorized', error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is not valid');
    }
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000) return refused('unauthorized', 'the token was issued in the future');
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.some((audience) => typeof audience === 'string' && this.configuration.audiences.includes(audience))) {
      return refused('unauthorized', 'the token does not have a valid audience');
    }
    const scopes = tokenScopes(payload);
    if (routeScopes.length > 0 && !routeScopes.some((scope) => scopes?.includes(scope))) {
      return refused('forbidden', 'the token does not have the required scope', routeScopes);
    }
    return { outcome: 'allowed', context: { claims: stringClaims(payload), scopes } };
  }

  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.jwks ??= fetch(`${this.configuration.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)
      .then(async (response) => {
        if (!response.ok) throw new Error(`the issuer's discovery answered ${response.status}`);
        const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: string };
        if (!jwksUri) throw new Error("the issuer's discovery names no jwks_uri");
        return createRemoteJWKSet(new URL(jwksUri));
      })
      .catch((error: unknown) => {
        this.jwks = undefined;
        throw error;
      });
    return this.jwks;
  }
}

/** A JWS whose protected header names its key (`kid`), as API Gateway requires. */
function namesKey(token: string): boolean {
  try {
    return typeof decodeProtectedHeader(token).kid === 'string';
  } catch {
    return false;
  }
}

function refused(outcome: 'unauthorized' | 'forbidden', description: string, scopes: readonly string[] = []): Authorization {
  const error = outcome === 'forbidden' ? 'insufficient_scope' : 'invalid_token';
  return { outcome, wwwAuthenticate: `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"` };
}

function tokenScopes(payload: JWTPayload): string[] | null {
  const scope = payload.scope ?? payload.scp;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope)) return scope.map(String);
  return null;
}

/** Payload format 2.0 hands claims over as strings; a list as `[a b]`. */
function stringClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? `[${value.join(' ')}]`
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
    ]),
  );
}
