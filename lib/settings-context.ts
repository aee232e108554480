import { SETTINGS } from '../lambdas/settings';

/**
 * The CDK context the contract's environment variables stand for, each value as `-c key=value` would pass it:
 * local mode synthesizes the stack from the variables given to `npm start`. A blank variable counts as unset,
 * as the handlers read it; variables that are no setting of the table are left out.
 */
export function contextFromEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const context: Record<string, string> = {};
  for (const { envVar, contextKey } of SETTINGS) {
    const value = env[envVar];
    if (value?.trim()) context[contextKey] = value;
  }
  return context;
}
