import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * GET /example-product/profile — a product's own route, as a product team would write it: API Gateway's JWT
 * authorizer has already checked the user token (signature, issuer, audience, expiry, scope), so the code only
 * reads the claims it was handed. Nothing of guichet's is imported.
 */
export async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> {
  const { claims, scopes } = event.requestContext.authorizer.jwt;
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify({ sub: claims.sub, email: claims.email ?? null, sid: claims.sid ?? null, scopes: scopes ?? [] }),
  };
}
