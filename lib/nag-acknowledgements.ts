import { Validations } from 'aws-cdk-lib';
import { ROUTES } from '../lambdas/routes';
import type { SecretName } from '../lambdas/secrets';
import type { GuichetStack } from './guichet-stack';

/** Secrets a rotation Lambda of the stack rotates (signing keys: SigningKeysRotation). */
type RotatedSecretName = 'signingKeys';

/** Why each other secret has no Secrets Manager rotation schedule. */
const SECRET_ROTATION_REASONS: Record<Exclude<SecretName, RotatedSecretName>, string> = {
  oidcClientSecret:
    'The IdP issues this client secret and the operator copies it in after deploy; it is rotated at the IdP, ' +
    'which Secrets Manager cannot drive without an IdP-specific rotation function.',
  addinCsrfKey:
    'Derives CSRF tokens of add-in logins that live ten minutes at most; rotating it would only break the ' +
    'logins in flight, and it never leaves the Lambdas that hold it.',
};

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each on the narrowest construct and with its reason.
 * Shared by bin/ and the tests, so a finding accepted in one is accepted in the other.
 */
export function acknowledgeNagFindings(stack: GuichetStack): void {
  for (const { id } of ROUTES) {
    Validations.of(stack.api.routes[id]).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'guichet is the authentication service: its endpoints are public by design. The login, session, ' +
        'logout, add-in and token endpoints authenticate their caller themselves (session cookie or token, ' +
        'one-time codes, client credentials); back-channel logout checks the IdP-signed logout token; the ' +
        'add-in transit and callback pages are static; the discovery documents and the JWKS are public by ' +
        'definition (RFC 8414, OpenID Connect Discovery); the example external API verifies the access token ' +
        'itself. Operators protect routes of their own with GuichetStack.guichetTokenAuthorizer.',
    });
  }
  const exampleFunctions = stack.exampleProductApi ? [stack.exampleProductApi.function] : [];
  const { delivery, sweeper } = stack.downstreamLogout;
  const workers = [stack.signingKeysRotation.function, stack.idpCacheRefresh.function, delivery, sweeper];
  for (const fn of [...Object.values(stack.functions), ...workers, ...exampleFunctions]) {
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
