import { LAMBDA_SETTINGS, type LambdaSettings, type SettingValues } from '../settings';
import { audienceLogoutUri, audienceScopes } from './setting-rules';
import { settingsFromEnvironment } from './setting-values';

/**
 * Typed configuration, read from the environment once per Lambda init: every setting of LAMBDA_SETTINGS
 * (lambdas/settings.ts, where each is documented), under its key, with its default applied. Every problem is
 * reported at once, so a misconfigured deployment fails its first invocation with a message naming each variable.
 */
export type AppConfig = Omit<SettingValues<LambdaSettings>, 'apiAudiences'> & {
  /**
   * The scopes of each audience of API_AUDIENCES. Without a prototype, so that looking up a caller's audience never
   * finds an inherited key such as `constructor`.
   */
  readonly apiAudiences: Readonly<Record<string, readonly string[]>>;
  /**
   * The back-channel logout endpoint of each audience of API_AUDIENCES that registers one: each is told when a
   * session that was issued a token for it ends. Without a prototype, as `apiAudiences`.
   */
  readonly backchannelLogoutUris: Readonly<Record<string, string>>;
  /** Time a person has to log in at the IdP before the login flow's state is refused: no setting changes it. */
  readonly loginFlowTtlSeconds: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const LOGIN_FLOW_TTL_SECONDS = 600;

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env): AppConfig {
  const { values, problems } = settingsFromEnvironment(LAMBDA_SETTINGS, env, (read) => read.publicUrl as string | undefined);
  if (problems.length > 0) throw new ConfigError(problems);
  const settings = values as SettingValues<LambdaSettings>;
  const audiences = Object.entries(settings.apiAudiences);
  return {
    ...settings,
    apiAudiences: Object.assign(
      Object.create(null),
      Object.fromEntries(audiences.map(([audience, value]) => [audience, audienceScopes(value)])),
    ),
    backchannelLogoutUris: Object.assign(
      Object.create(null),
      Object.fromEntries(
        audiences.flatMap(([audience, value]) => {
          const uri = audienceLogoutUri(value);
          return uri === undefined ? [] : [[audience, uri]];
        }),
      ),
    ),
    loginFlowTtlSeconds: LOGIN_FLOW_TTL_SECONDS,
  };
}

/** The origins whose pages may call guichet: its own, and those listed in CORS_ORIGINS. */
export function browserOrigins(config: Pick<AppConfig, 'publicUrl' | 'corsOrigins'>): readonly string[] {
  return [new URL(config.publicUrl).origin, ...config.corsOrigins];
}

let cached: AppConfig | undefined;

/** The process-wide configuration; handlers call it at module load so a bad one fails the init. */
export function appConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}
