import { GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { keySetOrNothing, rotationReadiness, tooEarlyMessage, withKnownDates } from '../lambdas/shared/signing-key-rotation';
import { nowSeconds } from '../lambdas/shared/time';
import { secretArnOutputKey } from '../lib/naming';
import { CliError } from './command-runner';
import { serviceClientConfig, stackOutput, type Target } from './stack';

export interface KeyRotation {
  readonly secretArn: string;
  readonly versionId?: string;
}

/**
 * Asks Secrets Manager to rotate the target's signing-keys secret; the stack's rotation function makes the key,
 * with the algorithm it was deployed with. The local Secrets Manager runs the whole rotation before it answers.
 * A rotation before the next key may sign is refused here, with when it may: the key set is read for its dates
 * (never printed), as the rotation function would read it and postpone the rotation without a word.
 */
export async function rotateSigningKeys(target: Target, now: number = nowSeconds()): Promise<KeyRotation> {
  const secretArn = await stackOutput(target, secretArnOutputKey('signingKeys'));
  const client = new SecretsManagerClient(serviceClientConfig(target, 'secretsmanager'));
  try {
    const current = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }));
    const set = keySetOrNothing(current.SecretString);
    const readiness = set && rotationReadiness(withKnownDates(set, current.CreatedDate, now), now);
    if (readiness && !readiness.ready) {
      throw new CliError(`too early, nothing rotated: ${tooEarlyMessage(readiness, now)}; run it again then`, 1, 'too_early');
    }
    const { VersionId: versionId } = await client.send(new RotateSecretCommand({ SecretId: secretArn }));
    return { secretArn, versionId };
  } finally {
    client.destroy();
  }
}
