/**
 * The Secrets Manager secrets, defined once like the tables. A Lambda granted a secret receives its ARN in
 * `arnEnvVar` and reads the value through the AWS SDK, in every mode: local mode serves the same API.
 */
export interface SecretDefinition {
  readonly arnEnvVar: string;
  readonly description: string;
}

export const SECRETS = {
  oidcClientSecret: {
    arnEnvVar: 'OIDC_CLIENT_SECRET_ARN',
    description: "guichet's client secret at the upstream OIDC identity provider (set by the operator)",
  },
  signingKeys: {
    arnEnvVar: 'SIGNING_KEYS_SECRET_ARN',
    description: 'JWK set (previous, current and next private keys) that signs the access tokens guichet mints',
  },
  addinCsrfKey: {
    arnEnvVar: 'ADDIN_CSRF_KEY_SECRET_ARN',
    description: 'HMAC key that derives the CSRF token of an Office add-in login session from its session id',
  },
} as const satisfies Record<string, SecretDefinition>;

export type SecretName = keyof typeof SECRETS;
