import { LOCAL_SETTINGS } from '../lambdas/settings';
import { settingsFromEnvironment } from '../lambdas/shared/setting-values';

/** Ports of local mode, from the environment: the local server and the local DynamoDB API. */
export const DEFAULT_PORTS = { PORT: LOCAL_SETTINGS.port.default, DYNAMODB_PORT: LOCAL_SETTINGS.dynamodbPort.default } as const;

/** A port number from `env[name]` (0 picks a free port), or `fallback` when unset. */
export function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const { values, problems } = settingsFromEnvironment({ port: { kind: 'port', envVar: name } }, env);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return (values.port as number | undefined) ?? fallback;
}
