import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runAppsInProcess } from '../../cli/apps-in-process';
import { parseKeySet } from '../../lambdas/shared/signing-keys';
import { TABLE_NAMES, TABLES } from '../../lambdas/tables';
import { secretArnOutputKey, tableNameOutputKey } from '../../lib/naming';
import { type LocalGuichet, startLocalGuichet } from '../../local/start';
import { LocalStore } from './local-store';

/**
 * The whole local service, as `npm start` runs it (the synthesized stack, each function in its own runtime), on
 * free ports and quiet; `env` adds settings to the test's environment, as a developer would set them.
 */
export function startTestGuichet(env: Record<string, string> = {}): Promise<LocalGuichet> {
  return startLocalGuichet(
    { ...process.env, PORT: '0', DYNAMODB_PORT: '0', DEV_IDP_PORT: '0', GUICHET_LOCAL_LOG: 'quiet', ...env },
    {},
    runAppsInProcess,
  );
}

/** The local guichet's tables, named from its stack outputs, as the operator CLI finds them. */
export function storeOf(guichet: LocalGuichet): LocalStore {
  const names = Object.fromEntries(TABLE_NAMES.map((table) => [TABLES[table].envVar, guichet.outputs[tableNameOutputKey(table)]]));
  return new LocalStore(guichet.dynamoDbEndpoint, names);
}

/** What `npm run apps` / `npm run keys` need to find this local guichet. */
export function cliEnvironment(guichet: LocalGuichet): Record<string, string> {
  return { PORT: new URL(guichet.publicUrl).port };
}

/**
 * Moves every date of the local guichet's signing keys `seconds` into the past, as if the key set had been written
 * that long ago: a test can then rotate without waiting for the next key to have been published long enough.
 */
export async function ageSigningKeys(guichet: LocalGuichet, seconds: number): Promise<void> {
  const client = new SecretsManagerClient({
    endpoint: guichet.secretsManagerEndpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' },
  });
  try {
    const secretId = guichet.outputs[secretArnOutputKey('signingKeys')];
    const set = parseKeySet((await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!);
    const earlier = (date: number | undefined) => (date === undefined ? undefined : date - seconds);
    const keys = set.keys.map((key) => ({
      ...key,
      publishedAt: earlier(key.publishedAt),
      retiredAt: earlier(key.retiredAt),
      keptUntil: earlier(key.keptUntil),
    }));
    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ ...set, keys }) }));
  } finally {
    client.destroy();
  }
}
