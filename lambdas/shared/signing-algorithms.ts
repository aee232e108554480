/**
 * The algorithms guichet signs with: RS256 by default (API Gateway's JWT authorizer), ES256 selectable. Apart from
 * the key store so that a verifier or the discovery document can name them without loading the Secrets Manager
 * client.
 */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
