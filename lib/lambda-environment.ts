import { LAMBDA_SETTINGS } from '../lambdas/settings';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/metric-names';
import { settingText } from '../lambdas/shared/setting-values';
import type { GuichetProps } from './guichet-config';

/**
 * The environment every Lambda that reads the configuration shares: the public URL, and each setting of
 * LAMBDA_SETTINGS that the props set, in its variable. Unset props stay unset, so the handlers' own defaults apply;
 * per-route table names and secret ARNs are added by GuichetFunction.
 */
export function sharedLambdaEnvironment(props: GuichetProps, publicUrl: string): Record<string, string> {
  const environment: Record<string, string> = { [LAMBDA_SETTINGS.publicUrl.envVar]: publicUrl, ...baseLambdaEnvironment() };
  for (const [key, { envVar, kind }] of Object.entries(LAMBDA_SETTINGS)) {
    const value = (props as Readonly<Record<string, unknown>>)[key];
    if (value !== undefined) environment[envVar!] = settingText(kind, value);
  }
  return environment;
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
