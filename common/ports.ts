/** Ports of local mode, from the environment: the local server and the local DynamoDB API. */
export const DEFAULT_PORTS = { PORT: 8787, DYNAMODB_PORT: 8000 } as const;

/** A port number from `env[name]` (0 picks a free port), or `fallback` when unset. */
export function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, not "${raw}"`);
  return port;
}
