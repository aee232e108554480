import { runCaptured } from '../cli/command-runner';
import { runApps } from '../cli/run-apps';
import { type FakeIdp, startFakeIdp } from '../harness/fake-idp';
import { LocalStore } from '../harness/local-store';
import { storedSession } from '../harness/sessions';
import { type BenchChild, startChild } from './child-process';
import type { GuichetReady } from './guichet-process';

/** The local guichet the bench measures, with what its flows need to succeed. */
export interface GuichetUnderTest {
  readonly server: BenchChild<GuichetReady>;
  /** The IdP guichet trusts: it signs the back-channel logout tokens. */
  readonly idp: FakeIdp;
  readonly oidcClientId: string;
  /** The guichet tables, reached from the bench process. */
  readonly store: LocalStore;
  /** A machine-to-machine application created with the operator CLI. */
  readonly application: { readonly clientId: string; readonly clientSecret: string; readonly scope: string };
  /** A live web session's token. */
  readonly sessionToken: string;
  close(): Promise<void>;
}

const OIDC_CLIENT_ID = 'guichet-bench';
const APPLICATION_SCOPE = 'calendar:read';
/**
 * The failed-exchange budget per client address, raised for the bench: every request of the invalid-code run
 * comes from 127.0.0.1 and must reach the code lookup instead of being answered 429.
 */
const SESSION_EXCHANGE_FAILURE_LIMIT = '1000000000';
/** An add-in's origin, listed in CORS_ORIGINS: add-in logins start only from a page of a listed origin. */
export const BENCH_ADDIN_ORIGIN = 'https://addin.bench.example';

/**
 * Starts the local guichet in its own process, trusting a scriptable IdP run here (as the back-channel logout
 * tests do), then creates an application with `npm run apps -- create` and stores a session.
 */
export async function startGuichetUnderTest(stateDirectory: string): Promise<GuichetUnderTest> {
  // This process reaches the store with the AWS SDK too; Node 20 is supported here, as in local mode.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const idp = await startFakeIdp();
  const server = await startChild<GuichetReady>('guichet-process.ts', {
    ...process.env,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET: 'bench-client-secret',
    GUICHET_LOCAL_DIR: stateDirectory,
    SESSION_EXCHANGE_FAILURE_LIMIT,
    CORS_ORIGINS: BENCH_ADDIN_ORIGIN,
  }).catch(async (error: unknown) => {
    await idp.close();
    throw error;
  });
  try {
    const { tableNames, dynamoDbEndpoint, cliEnv } = server.ready;
    const store = new LocalStore(dynamoDbEndpoint, tableNames);
    const created = await runCaptured(runApps, ['create', '--name', 'Bench', '--scopes', APPLICATION_SCOPE, '--json'], {
      ...process.env,
      ...cliEnv,
    });
    if (created.code !== 0) throw new Error(`npm run apps -- create failed: ${created.stderr}`);
    const { client_id: clientId, client_secret: clientSecret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    const { token: sessionToken } = await storedSession(store);
    return {
      server,
      idp,
      oidcClientId: OIDC_CLIENT_ID,
      store,
      application: { clientId, clientSecret, scope: APPLICATION_SCOPE },
      sessionToken,
      close: async () => {
        await server.close();
        await idp.close();
      },
    };
  } catch (error) {
    await server.close();
    await idp.close();
    throw error;
  }
}
