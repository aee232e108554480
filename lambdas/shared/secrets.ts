import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRETS, type SecretName } from '../secrets';
import { traced } from './tracing';

/**
 * Where a secret's value comes from: in AWS, Secrets Manager (the Lambda gets the ARN); in local mode,
 * which has no Secrets Manager, the value itself in an environment variable, or a file named by
 * `<value variable>_FILE` (read on every call, so a local key rotation is seen without a restart).
 */
export interface SecretSource {
  read(name: SecretName): Promise<string>;
}

export function secretSource(
  env: Readonly<Record<string, string | undefined>> = process.env,
  client: () => SecretsManagerClient = () => traced(new SecretsManagerClient({})),
): SecretSource {
  let secretsManager: SecretsManagerClient | undefined;
  return {
    async read(name) {
      const { arnEnvVar, valueEnvVar } = SECRETS[name];
      const value = env[valueEnvVar];
      if (value) return value;
      const file = env[`${valueEnvVar}_FILE`];
      if (file) return readFile(file, 'utf8');
      const arn = env[arnEnvVar];
      if (!arn) throw new Error(`neither ${valueEnvVar} nor ${arnEnvVar} is set: this function has no access to ${name}`);
      secretsManager ??= client();
      const result = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
      if (result.SecretString === undefined) throw new Error(`secret ${name} has no string value`);
      return result.SecretString;
    },
  };
}

/**
 * A secret read on first use and kept for the container's life once read. A failed read is not kept:
 * the next request tries again, and nothing is left rejecting unobserved at init.
 */
export function cachedSecret(name: SecretName, source: SecretSource = secretSource()): () => Promise<string> {
  let value: Promise<string> | undefined;
  return () => {
    value ??= source.read(name).catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
