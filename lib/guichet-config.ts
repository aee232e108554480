import type { Node } from 'constructs';
import { ROUTES } from '../lambdas/routes';
import {
  LAMBDA_SETTINGS,
  type SettingProps,
  type SettingTable,
  type SettingValue,
  STACK_SETTINGS,
  type StackSettings,
} from '../lambdas/settings';
import { readSettings, withDefaults } from '../lambdas/shared/setting-values';

/**
 * What an operator configures: one prop per context key of lambdas/settings.ts (LAMBDA_SETTINGS but the public URL,
 * which the stack sets, and STACK_SETTINGS), of the setting's type, documented there. Unset, a setting of the
 * Lambdas is left out of their environment and they apply its default; the stack applies its own.
 */
export type GuichetProps = SettingProps;

/** The props as the stack builds from them: checked, normalized, and with the default of each stack setting. */
export type DeploySettings = GuichetProps & {
  readonly [K in keyof StackSettings as StackSettings[K] extends { readonly default: unknown } ? K : never]: SettingValue<StackSettings[K]>;
};

export interface CustomDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
}

/** Every setting with a context key, by that key. */
export const CONTEXT_SETTINGS: SettingTable = {
  ...Object.fromEntries(Object.entries(LAMBDA_SETTINGS).filter(([, setting]) => !('stackSets' in setting))),
  ...STACK_SETTINGS,
};

const ROUTE_IDS = ROUTES.map((route) => route.id);

/** A configuration the stack cannot be built from; the message names every problem, for the operator to read as is. */
export class GuichetConfigError extends Error {
  constructor(
    readonly missingKeys: readonly string[],
    readonly problems: readonly string[],
  ) {
    super(configurationMessage(missingKeys, problems));
    this.name = 'GuichetConfigError';
  }
}

function configurationMessage(missingKeys: readonly string[], problems: readonly string[]): string {
  const parts: string[] = [];
  if (missingKeys.length > 0) {
    const examples = missingKeys.map((key) => `-c ${key}=${CONTEXT_SETTINGS[key].placeholder ?? '...'}`).join(' ');
    const them = missingKeys.length === 1 ? 'it' : 'them';
    parts.push(`guichet: missing context ${missingKeys.join(', ')}: pass ${examples} (or set ${them} in cdk.json)`);
  }
  if (problems.length > 0) parts.push(`Invalid guichet configuration:\n- ${problems.join('\n- ')}`);
  return parts.join('\n');
}

/**
 * Reads the context keys (cdk.json or `-c key=value`, where every value arrives as text) and checks them as
 * validateProps does: every missing, unreadable or invalid value is reported in one GuichetConfigError.
 */
export function propsFromContext(node: Node): GuichetProps {
  return readProps((key) => node.tryGetContext(key));
}

/** Throws at synth time what would otherwise make every Lambda fail its first invocation. */
export function validateProps(props: GuichetProps): DeploySettings {
  return withDefaults(
    STACK_SETTINGS,
    readProps((key) => (props as Readonly<Record<string, unknown>>)[key]),
  ) as DeploySettings;
}

function readProps(given: (key: string) => unknown): GuichetProps {
  const { values, missing, problems } = readSettings(CONTEXT_SETTINGS, given, { nameOf: (key) => key, context: { routeIds: ROUTE_IDS } });
  if (missing.length > 0 || problems.length > 0) throw new GuichetConfigError(missing, problems);
  return values as GuichetProps;
}
