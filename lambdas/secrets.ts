/**
 * The Secrets Manager secrets, defined once like the tables. A Lambda granted a secret receives its ARN in
 * `arnEnvVar`; the local runtime, which has no Secrets Manager, passes the value itself in `valueEnvVar`.
 */
export interface SecretDefinition {
  readonly arnEnvVar: string;
  readonly valueEnvVar: string;
  readonly description: string;
}

export const SECRETS = {
  oidcClientSecret: {
    arnEnvVar: 'OIDC_CLIENT_SECRET_ARN',
    valueEnvVar: 'OIDC_CLIENT_SECRET',
    description: "guichet's client secret at the upstream OIDC identity provider (set by the operator)",
  },
  signingKeys: {
    arnEnvVar: 'SIGNING_KEYS_SECRET_ARN',
    valueEnvVar: 'SIGNING_KEYS',
    description: 'JWK set (current and previous private keys) that signs the access tokens guichet mints',
  },
  addonsCsrfKey: {
    arnEnvVar: 'ADDONS_CSRF_KEY_SECRET_ARN',
    valueEnvVar: 'ADDONS_CSRF_KEY',
    description: 'HMAC key that derives the CSRF token of an Office add-in login session from its session id',
  },
} as const satisfies Record<string, SecretDefinition>;

export type SecretName = keyof typeof SECRETS;
