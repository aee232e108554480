import { Validations } from 'aws-cdk-lib';
import type { SecretName } from '../lambdas/secrets';
import type { GuichetStack } from './guichet-stack';

/** Why each secret has no Secrets Manager rotation schedule. */
const SECRET_ROTATION_REASONS: Record<SecretName, string> = {
  oidcClientSecret:
    'The IdP issues this client secret and the operator copies it in after deploy; it is rotated at the IdP, ' +
    'which Secrets Manager cannot drive without an IdP-specific rotation function.',
  signingKeys:
    'Rotated by a dedicated rotation Lambda (keeping the previous key in the JWKS) that a later issue adds; ' +
    'until then the operator rotates it by hand.',
  addonsCsrfKey:
    'Derives CSRF tokens of add-in logins that live ten minutes at most; rotating it would only break the ' +
    'logins in flight, and it never leaves the Lambdas that hold it.',
};

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each on the narrowest construct and with its reason.
 * Shared by bin/ and the tests, so a finding accepted in one is accepted in the other.
 */
export function acknowledgeNagFindings(stack: GuichetStack): void {
  for (const route of Object.values(stack.api.routes)) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'guichet is the authentication service: its endpoints are public by design (login, IdP callback, ' +
        'back-channel logout, token endpoint) and each handler authenticates its caller itself ' +
        '(session cookie or token, client credentials, signed logout token).',
    });
  }
  for (const fn of Object.values(stack.functions)) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource "*": these ' +
        'actions support no resource-level permissions. Every other statement names its table, index, ' +
        'secret or log group.',
    });
  }
  for (const [name, reason] of Object.entries(SECRET_ROTATION_REASONS)) {
    Validations.of(stack.secrets[name as SecretName]).acknowledge({ id: 'AwsSolutions-SMG4', reason });
  }
}
