/**
 * The algorithms guichet signs with: RS256 by default (API Gateway's JWT authorizer), ES256 selectable. Apart from
 * the key store so that a verifier or the discovery document can name them without loading the Secrets Manager
 * client.
 */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * The signature algorithms guichet accepts from others (the IdP's logout tokens, applications' client assertions):
 * asymmetric only. `none` and HMAC never qualify: with HMAC, a public key could be abused as the shared secret.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export function isAsymmetricAlgorithm(alg: unknown): boolean {
  return (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(alg);
}
