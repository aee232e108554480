import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRETS, type SecretName } from '../secrets';
import { prepareAtInit } from './init';
import { traced } from './tracing';

/** A Secrets Manager that does not answer within these fails the request as unavailable, not at the Lambda's timeout. */
const SECRETS_MANAGER_CLIENT = { requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } };

/** Where a secret's value comes from: Secrets Manager, through the ARN the function's route grants. */
export interface SecretSource {
  read(name: SecretName): Promise<string>;
}

export function secretSource(
  env: Readonly<Record<string, string | undefined>> = process.env,
  client: () => SecretsManagerClient = () => traced(new SecretsManagerClient(SECRETS_MANAGER_CLIENT), 'SecretsManager'),
): SecretSource {
  let secretsManager: SecretsManagerClient | undefined;
  return {
    async read(name) {
      const { arnEnvVar } = SECRETS[name];
      const arn = env[arnEnvVar];
      if (!arn) throw new Error(`${arnEnvVar} is not set: this function's route does not grant the ${name} secret`);
      secretsManager ??= client();
      const result = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
      if (result.SecretString === undefined) throw new Error(`secret ${name} has no string value`);
      return result.SecretString;
    },
  };
}

/**
 * A secret read at init when the function is granted it (else on first use, where the missing grant is named), and
 * kept for the container's life once read. A failed read is not kept: the next request tries again. `refresh`
 * forgets the kept value, for a secret the operator may have changed since (the IdP client secret).
 */
export function cachedSecret(name: SecretName, source: SecretSource = secretSource()) {
  let value: Promise<string> | undefined;
  const read = () => {
    value ??= source.read(name).catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
  if (process.env[SECRETS[name].arnEnvVar]) prepareAtInit(read);
  return Object.assign(read, {
    refresh: () => {
      value = undefined;
      return read();
    },
  });
}
