import { TABLE_NAMES, TABLES } from '../../lambdas/tables';
import { tableNameOutputKey } from '../../lib/naming';
import { startLocalGuichet, type LocalGuichet } from '../../local/start';
import { LocalStore } from './local-store';

/**
 * The whole local service, as `npm start` runs it (the synthesized stack, each function in its own runtime), on
 * free ports and quiet; `env` adds settings to the test's environment, as a developer would set them.
 */
export function startTestGuichet(env: Record<string, string> = {}): Promise<LocalGuichet> {
  return startLocalGuichet({ ...process.env, PORT: '0', DYNAMODB_PORT: '0', DEV_IDP_PORT: '0', GUICHET_LOCAL_LOG: 'quiet', ...env });
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
