import { SETTINGS, type SettingKind } from '../lambdas/settings';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/metric-names';
import type { GuichetProps } from './guichet-config';

/**
 * The environment every route Lambda shares (the contract's Configuration table): each setting of the table
 * that the props set, in its variable. Unset props stay unset, so the handlers' own defaults apply; per-route
 * table names and secret ARNs are added by GuichetFunction.
 */
export function sharedLambdaEnvironment(props: GuichetProps, publicUrl: string): Record<string, string> {
  const environment: Record<string, string> = { GUICHET_PUBLIC_URL: publicUrl, ...baseLambdaEnvironment() };
  for (const { contextKey, envVar, kind } of SETTINGS) {
    const value = props[contextKey];
    if (value !== undefined) environment[envVar] = environmentValue(kind, value);
  }
  return environment;
}

function environmentValue(kind: SettingKind, value: string | number | object): string {
  if (kind === 'list') return (value as readonly string[]).join(',');
  if (kind === 'json') return JSON.stringify(value);
  return String(value);
}

/**
 * What every guichet Lambda needs whatever it does: logs and metrics under the service's name. Not
 * `--enable-source-maps`: reading the map costs about 50 ms of every cold start; the map is deployed beside
 * the code to decode a stack trace when one is needed.
 */
export function baseLambdaEnvironment(): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  };
}
