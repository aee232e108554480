import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretArnOutputKey } from '../lib/naming';
import { serviceClientConfig, stackOutput, type Target } from './stack';

export interface KeyRotation {
  readonly secretArn: string;
  readonly versionId?: string;
}

/**
 * Asks Secrets Manager to rotate the target's signing-keys secret; the stack's rotation function makes the key,
 * with the algorithm it was deployed with. The local Secrets Manager runs the whole rotation before it answers.
 */
export async function rotateSigningKeys(target: Target): Promise<KeyRotation> {
  const secretArn = await stackOutput(target, secretArnOutputKey('signingKeys'));
  const client = new SecretsManagerClient(serviceClientConfig(target, 'secretsmanager'));
  try {
    const { VersionId: versionId } = await client.send(new RotateSecretCommand({ SecretId: secretArn }));
    return { secretArn, versionId };
  } finally {
    client.destroy();
  }
}
