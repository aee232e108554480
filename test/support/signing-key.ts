import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { type CryptoKey, importJWK } from 'jose';
import type { SigningAlgorithm } from '../../lambdas/shared/signing-algorithms';
import { generateSigningKey } from '../../lambdas/shared/signing-key-generation';
import { publicJwk, type SigningKey } from '../../lambdas/shared/signing-keys';

/** A fresh signing key as the Lambdas hold it, and the public key a verifier gets from the JWKS. */
export async function testSigningKey(alg: SigningAlgorithm = 'RS256'): Promise<{ signingKey: SigningKey; verificationKey: CryptoKey }> {
  const jwk = await generateSigningKey(alg);
  return {
    signingKey: { kid: jwk.kid!, alg, key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }) },
    verificationKey: (await importJWK(publicJwk(jwk), alg)) as CryptoKey,
  };
}
