import { LAMBDA_SETTINGS, type LambdaSettings, type SettingDefinition, type SettingValue } from '../lambdas/settings';
import { settingsFromEnvironment, settingText } from '../lambdas/shared/setting-values';

/** The settings of the Lambdas an operator sets through a context key (all but those the stack sets itself). */
const CONTEXT_LAMBDA_SETTINGS: readonly (readonly [string, SettingDefinition])[] = Object.entries(LAMBDA_SETTINGS).filter(
  ([, setting]) => !('stackSets' in setting),
);

/**
 * The CDK context the contract's environment variables stand for, each value as `-c key=value` would pass it:
 * local mode synthesizes the stack from the variables given to `npm start`. A blank variable counts as unset,
 * as the handlers read it; variables that are no setting of LAMBDA_SETTINGS are left out.
 */
export function contextFromEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [contextKey, { envVar }] of CONTEXT_LAMBDA_SETTINGS) {
    const value = env[envVar!];
    if (value?.trim()) context[contextKey] = value;
  }
  return context;
}

/** The context of the settings whose local-mode default is a value of their own (`localDefault`), as `-c` passes it. */
export function localDefaultContext(): Record<string, string> {
  return Object.fromEntries(
    CONTEXT_LAMBDA_SETTINGS.filter(([, setting]) => setting.localDefault !== undefined).map(([contextKey, setting]) => [
      contextKey,
      settingText(setting.kind, setting.localDefault),
    ]),
  );
}

/**
 * The value the Lambdas will read for one of their settings, from the variables given to `npm start`: the variable's,
 * else the default (derived from `publicUrl` where it is made from it). A refused value gives the default here, and
 * the synthesis reports it with every other problem.
 */
export function lambdaSettingFromEnvironment<K extends keyof LambdaSettings>(
  key: K,
  env: Readonly<Record<string, string | undefined>>,
  publicUrl: string,
): SettingValue<LambdaSettings[K]> {
  return settingsFromEnvironment({ [key]: LAMBDA_SETTINGS[key] }, env, () => publicUrl).values[key] as SettingValue<LambdaSettings[K]>;
}
