import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { loadConfig } from '../lambdas/shared/config';
import { SERVICE_NAME } from '../lambdas/shared/metric-names';
import { ROUTES } from '../lambdas/routes';
import { startDevIdp, type DevIdp } from './dev-idp';
import { startLocalDynamoDb, type LocalDynamoDb } from './local-dynamodb';
import { DEFAULT_PORTS, portFrom } from './ports';
import { createLocalServer } from './server';
import { ensureSigningKeysFile, localStateDirectory } from './signing-keys-file';

export interface LocalGuichet {
  readonly publicUrl: string;
  readonly issuer: string;
  readonly dynamoDbEndpoint: string;
  /** Set when no OIDC_ISSUER was given and the embedded development IdP runs. */
  readonly devIdp?: DevIdp;
  close(): Promise<void>;
}

/**
 * The whole service on one machine: dynalite with every table, the development IdP unless OIDC_ISSUER
 * names another, and the local API Gateway serving the real handlers. The handlers' environment is set
 * in `process.env`, as Lambda would set it, before the first handler is loaded.
 */
export async function startLocalGuichet(env: NodeJS.ProcessEnv = process.env): Promise<LocalGuichet> {
  // Node 20 is supported here; the deployed Lambdas run the newest runtime.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const port = portFrom(env, 'PORT', DEFAULT_PORTS.PORT);
  const server = createLocalServer(ROUTES);
  const boundPort = await listen(server, port);
  const publicUrl = (env.GUICHET_PUBLIC_URL ?? `http://127.0.0.1:${boundPort}`).replace(/\/+$/, '');
  const returnToOrigins = env.RETURN_TO_ORIGINS?.split(',').map((o) => o.trim()) ?? [new URL(publicUrl).origin];

  const closers: Array<() => Promise<void>> = [() => new Promise((resolve) => server.close(() => resolve()))];
  try {
    const dynamoDb: LocalDynamoDb = await startLocalDynamoDb(portFrom(env, 'DYNAMODB_PORT', DEFAULT_PORTS.DYNAMODB_PORT));
    closers.push(() => dynamoDb.close());

    let devIdp: DevIdp | undefined;
    if (!env.OIDC_ISSUER) {
      devIdp = await startDevIdp({
        port: portFrom(env, 'DEV_IDP_PORT', boundPort === 0 || port === 0 ? 0 : boundPort + 1),
        guichetPublicUrl: publicUrl,
        postLogoutOrigins: returnToOrigins,
      });
      closers.push(() => devIdp!.close());
    }

    const signingKeysFile = await ensureSigningKeysFile(localStateDirectory(env));

    Object.assign(process.env, {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      SIGNING_KEYS_FILE: signingKeysFile,
      ADDONS_CSRF_KEY: randomBytes(32).toString('base64url'),
      POWERTOOLS_DEV: 'true',
      ...dynamoDb.env,
      ...(devIdp && { OIDC_ISSUER: devIdp.issuer, OIDC_CLIENT_ID: devIdp.clientId, OIDC_CLIENT_SECRET: devIdp.clientSecret }),
      ...definedOnly(env),
      GUICHET_PUBLIC_URL: publicUrl,
    });
    // Fail here, with every problem named, rather than on the first request.
    const config = loadConfig(process.env);

    return {
      publicUrl,
      issuer: config.oidc.issuer,
      dynamoDbEndpoint: dynamoDb.endpoint,
      devIdp,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    throw error;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
