import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accessTokenVerifier, InvalidAccessToken } from '../../lambdas/shared/access-token-verifier';
import { splitRequestTarget } from '../api-gateway-event';
import { PRODUCT_LOGOUT_PATH } from '../example-product';
import { HANDED_OVER_PATH, playgroundReturnTo, SimulatedNativeApp } from './native-app';
import { ProductBackend } from './product-backend';

/**
 * The local playground: a static page at `/` (plus a few `/playground/*` helpers) that lets a newcomer try
 * every flow of the guichet started by `npm start` in a browser. It is served by the local server only,
 * outside the route table: nothing of it is ever deployed. The page only calls guichet's real endpoints,
 * except for what a browser tab cannot do by itself, done by the helpers below: making the native
 * app's PKCE pair and receiving its custom-scheme redirect (see native-app.ts), creating a demo
 * application with the operator CLI, and signing the client assertions of the demo application with keys.
 */
const STATIC_FILES: Readonly<Record<string, ServedFile>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/playground/common.js': { file: 'common.js', type: 'text/javascript; charset=utf-8' },
  '/playground/playground.js': { file: 'playground.js', type: 'text/javascript; charset=utf-8' },
  '/playground/playground.css': { file: 'playground.css', type: 'text/css; charset=utf-8' },
  [HANDED_OVER_PATH]: { file: 'handed-over.html', type: 'text/html; charset=utf-8' },
};

/** What the playground needs to know of the local guichet it shows. */
export interface PlaygroundSite {
  readonly publicUrl: string;
  readonly issuer: string;
  /** The second local origin, where a product's web app and add-in run (listed in CORS_ORIGINS by default). */
  readonly appOrigin: string;
  /** The custom scheme the simulated native app is sent back to. */
  readonly nativeAppScheme: string;
  /** The example product API of the stack, when it has one. */
  readonly product?: PlaygroundProduct;
  /** Runs `npm run apps -- <args>` against this guichet's store and returns its exit code and output. */
  runApps(args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;
}

/** A product API that accepts user tokens: its audience, the scope its route requires, and that route. */
export interface PlaygroundProduct {
  readonly audience: string;
  readonly scope: string;
  /** The route behind API Gateway's JWT authorizer, on guichet's API. */
  readonly path: string;
}

type Helper = (request: IncomingMessage, url: URL) => Promise<{ status: number; body: unknown }>;

export class Playground {
  private readonly nativeApp: SimulatedNativeApp;
  private readonly helpers: Readonly<Record<string, { method: 'GET' | 'POST'; run: Helper }>>;
  /** One demo-application request at a time: two quick clicks must not both find none and both create one. */
  private demoApplicationQueue: Promise<unknown> = Promise.resolve();
  /** The private key of the demo application with keys, by client id, and each key's `kid`: in memory only. */
  private readonly demoPrivateKeys = new Map<string, CryptoKey>();
  private readonly demoKids = new WeakMap<CryptoKey, string>();
  private demoKeysDirectory?: string;

  constructor(private readonly site: PlaygroundSite) {
    this.nativeApp = new SimulatedNativeApp(playgroundReturnTo(site.nativeAppScheme));
    this.helpers = {
      '/playground/config': { method: 'GET', run: async () => ({ status: 200, body: await this.config() }) },
      '/playground/native/start': { method: 'POST', run: async () => ({ status: 201, body: this.nativeApp.start() }) },
      '/playground/native/received': {
        method: 'GET',
        run: async (_, url) => {
          const collected = this.nativeApp.collect(url.searchParams.get('id') ?? '');
          return { status: { unknown: 404, waiting: 202, received: 200 }[collected.state], body: collected };
        },
      },
      '/playground/apps': {
        method: 'POST',
        run: (_, url) => this.queueDemoApplication(url.searchParams.get('credentials') === 'keys' ? DEMO_KEYS_APP : DEMO_SECRET_APP),
      },
      '/playground/apps/assertion': { method: 'POST', run: async (_, url) => this.demoAssertion(url.searchParams.get('client_id') ?? '') },
    };
  }

  /** Lets the simulated native app receive its custom-scheme redirect; any other answer passes as is. */
  rewrite(result: APIGatewayProxyResultV2): APIGatewayProxyResultV2 {
    return this.nativeApp.handOver(result);
  }

  /** Serves the playground's paths; returns false for any other path, which the caller answers with 404. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const { rawPath } = splitRequestTarget(request.url);
    if (rawPath !== '/' && !rawPath.startsWith('/playground/')) return false;
    if (!onCanonicalHost(request, response, this.site.publicUrl)) return true;

    const file = STATIC_FILES[rawPath];
    const helper = this.helpers[rawPath];
    const method = file ? 'GET' : helper?.method;
    if (!method) {
      sendJson(response, 404, { error: 'not_found', error_description: 'no such playground path' });
    } else if (request.method !== method && !(file && request.method === 'HEAD')) {
      response.setHeader('Allow', method);
      sendJson(response, 405, { error: 'method_not_allowed', error_description: `use ${method}` });
    } else if (method === 'POST' && !isSameOrigin(request)) {
      // A page on another site must not drive the playground (it would create applications, start logins).
      sendJson(response, 403, { error: 'access_denied', error_description: 'playground helpers answer the playground page only' });
    } else {
      const work = file
        ? serveFile(response, file, contentSecurityPolicy(this.site.issuer, this.site.appOrigin))
        : helper
            .run(request, new URL(request.url ?? '/', 'http://playground.invalid'))
            .then(({ status, body }) => sendJson(response, status, body));
      work.catch((error: unknown) => {
        process.stderr.write(`[guichet playground] ${rawPath} failed: ${(error as Error).stack ?? String(error)}\n`);
        if (!response.headersSent) sendJson(response, 500, { error: 'server_error', error_description: (error as Error).message });
        else response.end();
      });
    }
    return true;
  }

  /** What the page needs to know about this guichet: the IdP and where a person logs out there. */
  private async config(): Promise<Record<string, unknown>> {
    const discovery: { end_session_endpoint?: string } = await fetch(`${this.site.issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    })
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}));
    return {
      public_url: this.site.publicUrl,
      issuer: this.site.issuer,
      app_origin: this.site.appOrigin,
      end_session_endpoint: discovery.end_session_endpoint,
      native_return_to: playgroundReturnTo(this.site.nativeAppScheme),
      product: this.site.product,
    };
  }

  private queueDemoApplication(kind: DemoApplicationKind): Promise<{ status: number; body: unknown }> {
    const next = this.demoApplicationQueue.then(() => this.demoApplication(kind));
    this.demoApplicationQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * The playground's demo application of one kind, made once: what `npm run apps -- list --json` finds under its
   * name gets new credentials (`rotate-secret`, or `set-jwks` with a new key pair), else `create` makes it. 201 when
   * created, 200 when renewed; `action` says which.
   */
  private async demoApplication(kind: DemoApplicationKind): Promise<{ status: number; body: unknown }> {
    const listed = await this.site.runApps(['list', '--json']);
    if (listed.code !== 0) return appsFailed(listed);
    const [found, ...older] = demoApplicationsIn(listed.stdout, kind.name);
    const keys = kind.keys ? await this.demoKeys() : undefined;
    const command = found ? kind.renew(found.client_id, keys?.file) : kind.create(keys?.file);
    const run = await this.site.runApps([...command, '--json']);
    if (run.code !== 0) return appsFailed(run);
    const output = JSON.parse(run.stdout) as { client_id: string };
    if (keys) this.demoPrivateKeys.set(output.client_id, keys.privateKey);
    const body = { found_with: LIST_COMMAND, command: `npm run apps -- ${command.map(shellWord).join(' ')} --json`, output };
    if (!found) return { status: 201, body: { action: 'created', ...body } };
    // Made by an earlier playground, one per click: left alone, for the developer to delete.
    const olderDuplicates = older.map((application) => application.client_id);
    return { status: 200, body: { action: kind.keys ? 'rekeyed' : 'rotated', ...body, older_duplicates: olderDuplicates } };
  }

  /** A new key pair for the demo application with keys: the private key stays here, the public one goes in a file. */
  private async demoKeys(): Promise<{ privateKey: CryptoKey; file: string }> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `playground-${Date.now()}`;
    this.demoKeysDirectory ??= await mkdtemp(path.join(os.tmpdir(), 'guichet-playground-keys-'));
    const file = path.join(this.demoKeysDirectory, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] }, null, 2));
    this.demoKids.set(privateKey, kid);
    return { privateKey, file };
  }

  /**
   * What the demo application with keys sends in place of a secret: a client assertion (RFC 7523 §2.2) signed with
   * the private key this playground holds for it, as any client library makes one for each token request.
   */
  private async demoAssertion(clientId: string): Promise<{ status: number; body: unknown }> {
    const privateKey = this.demoPrivateKeys.get(clientId);
    if (!privateKey) return { status: 404, body: { error: 'not_found', error_description: 'make the demo application with keys first' } };
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', kid: this.demoKids.get(privateKey)! };
    const claims = { iss: clientId, sub: clientId, aud: this.site.publicUrl, iat: now, exp: now + 60, jti: randomUUID() };
    const assertion = await new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
    return { status: 200, body: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion, header, claims } };
  }
}

/** The demo application with a secret, and the one with keys (private_key_jwt): what makes and renews each. */
interface DemoApplicationKind {
  readonly name: string;
  readonly keys: boolean;
  create(jwksFile?: string): string[];
  renew(clientId: string, jwksFile?: string): string[];
}

const DEMO_SECRET_APP: DemoApplicationKind = {
  name: 'Playground demo',
  keys: false,
  create: () => ['create', '--name', 'Playground demo', '--scopes', 'demo:read'],
  renew: (clientId) => ['rotate-secret', clientId],
};

const DEMO_KEYS_APP: DemoApplicationKind = {
  name: 'Playground demo (keys)',
  keys: true,
  create: (file) => ['create', '--name', 'Playground demo (keys)', '--scopes', 'demo:read', '--jwks-file', file!],
  renew: (clientId, file) => ['set-jwks', clientId, '--jwks-file', file!],
};

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A command-line word as a person would type it: quoted when it holds a space. */
const shellWord = (word: string) => (/\s/.test(word) ? `"${word}"` : word);

/** A file the playground serves: `file` in static/, or `path` elsewhere in the repository. */
type ServedFile = { readonly type: string } & ({ readonly file: string } | { readonly path: string });

async function serveFile(response: ServerResponse, file: ServedFile, csp: string): Promise<void> {
  // Read on every request, so that an edit shows on reload.
  const body = await readFile('path' in file ? file.path : path.join(__dirname, 'static', file.file));
  response.writeHead(200, { ...commonHeaders(), 'Content-Type': file.type, 'Content-Security-Policy': csp });
  response.end(body);
}

/**
 * Script and style come only as files from this origin, and the page calls only this origin; it frames only the
 * app origin. The web logout form's POST ends with a redirect to the IdP's end-session page, so forms may also
 * go there.
 */
function contentSecurityPolicy(issuer: string, appOrigin: string): string {
  const idpOrigin = originOf(issuer);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    `frame-src ${appOrigin}`,
    "base-uri 'none'",
    `form-action 'self'${idpOrigin ? ` ${idpOrigin}` : ''}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

const APP_FILES: Readonly<Record<string, ServedFile>> = {
  '/': { file: 'app.html', type: 'text/html; charset=utf-8' },
  '/common.js': { file: 'common.js', type: 'text/javascript; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/playground.css': { file: 'playground.css', type: 'text/css; charset=utf-8' },
  // guichet's add-in client, as an add-in serves it from its own origin.
  '/guichet-addin.js': {
    path: path.join(__dirname, '..', '..', 'clients', 'addin', 'guichet-addin.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

/** The path of the product's own backend on the app origin, which checks user tokens with jose (not API Gateway). */
export const PRODUCT_BACKEND_PATH = '/api/profile';
/** What the product's backend holds and the logouts guichet told it of, for the page to show. */
export const PRODUCT_LOGOUTS_PATH = '/api/logouts';

/**
 * The second local origin: a product's web app and Office add-in, framed by the playground page as Outlook on the
 * web frames an add-in, calling guichet cross-origin with credentials. It may call guichet only, and be framed by
 * the playground only. With a product API, it also plays the product's own backend outside API Gateway:
 * `GET /api/profile` checks a user token with `accessTokenVerifier` (jose, against guichet's JWKS) and opens the
 * backend's own session for its `sid`; `POST /api/backchannel-logout` receives guichet's logout tokens and drops it.
 */
export function serveAppOrigin(publicUrl: string, appOrigin: string, product?: PlaygroundProduct) {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${publicUrl}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${publicUrl}`,
  ].join('; ');
  const verify = product && accessTokenVerifier({ issuer: publicUrl, audience: product.audience, requiredScope: product.scope });
  const backend = product && new ProductBackend({ issuer: publicUrl, audience: product.audience });
  return (request: IncomingMessage, response: ServerResponse): void => {
    const { rawPath } = splitRequestTarget(request.url);
    // guichet's delivery reaches the backend by its registered URL, whatever Host it sends.
    if (rawPath === PRODUCT_LOGOUT_PATH && backend && request.method === 'POST') return void backend.receive(request, response);
    if (!onCanonicalHost(request, response, appOrigin)) return;
    if (rawPath === '/config.json') {
      const paths = { product_backend: verify && PRODUCT_BACKEND_PATH, product_logouts: backend && PRODUCT_LOGOUTS_PATH };
      return void sendJson(response, 200, { guichet: publicUrl, product, ...paths });
    }
    if (rawPath === PRODUCT_LOGOUTS_PATH && backend && request.method === 'GET') return void sendJson(response, 200, backend.state());
    if (rawPath === PRODUCT_BACKEND_PATH && verify && request.method === 'GET') {
      return void answerProductBackend(verify, backend, request, response);
    }
    const file = APP_FILES[rawPath];
    if (!file || (request.method !== 'GET' && request.method !== 'HEAD'))
      return void sendJson(response, 404, { error: 'not_found', error_description: 'no such page' });
    serveFile(response, file, csp).catch(() =>
      sendJson(response, 500, { error: 'server_error', error_description: 'could not read the page' }),
    );
  };
}

/** What a product's backend answers: who the user token speaks for, 401 or 403 with RFC 6750's error when it does not pass. */
async function answerProductBackend(
  verify: ReturnType<typeof accessTokenVerifier>,
  backend: ProductBackend | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const token = await verify(request.headers.authorization);
    backend?.opened(token.sid, token.sub);
    sendJson(response, 200, {
      checked_by: 'jose against the JWKS',
      sub: token.sub,
      email: token.email ?? null,
      sid: token.sid ?? null,
      scopes: token.scopes,
    });
  } catch (error) {
    if (!(error instanceof InvalidAccessToken))
      return sendJson(response, 502, { error: 'server_error', error_description: `guichet's JWKS: ${(error as Error).message}` });
    const code = error.insufficientScope ? 'insufficient_scope' : 'invalid_token';
    response.setHeader('WWW-Authenticate', `Bearer error="${code}"`);
    sendJson(response, error.insufficientScope ? 403 : 401, { error: code, error_description: error.message });
  }
}

/**
 * The playground answers only under its own host: another name for loopback (`localhost`) is sent to it, since
 * guichet's cookies belong to one host name, and any other `Host` is refused, so that a site whose name was
 * rebound to 127.0.0.1 (DNS rebinding) cannot drive the helpers from a developer's browser.
 */
function onCanonicalHost(request: IncomingMessage, response: ServerResponse, canonicalUrl: string): boolean {
  const canonical = new URL(canonicalUrl);
  const host = request.headers.host ?? '';
  if (host === canonical.host) return true;
  const { hostname, port } = new URL(`http://${host}`);
  if (['localhost', '[::1]'].includes(hostname) && port === canonical.port && (request.method === 'GET' || request.method === 'HEAD')) {
    response.writeHead(308, { ...commonHeaders(), Location: new URL(request.url ?? '/', canonical).href }).end();
  } else {
    sendJson(response, 421, { error: 'misdirected_request', error_description: `the local playground answers on ${canonical.host} only` });
  }
  return false;
}

function commonHeaders(): Record<string, string> {
  return { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...commonHeaders(), 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function isSameOrigin(request: IncomingMessage): boolean {
  return request.headers['sec-fetch-site'] === 'same-origin' || request.headers.origin === `http://${request.headers.host}`;
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

const LIST_COMMAND = 'npm run apps -- list --json';

/** The demo applications called `name` in `list --json` output, the most recently created first. */
function demoApplicationsIn(listOutput: string, name: string): { readonly client_id: string; readonly created_at: string }[] {
  const listed: unknown = JSON.parse(listOutput);
  if (!Array.isArray(listed)) return [];
  return listed
    .filter(
      (application): application is { client_id: string; name: string; created_at: string } =>
        typeof application === 'object' && application !== null && application.name === name && typeof application.client_id === 'string',
    )
    .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
}

function appsFailed({ stdout, stderr }: { readonly stdout: string; readonly stderr: string }): { status: number; body: unknown } {
  return { status: 500, body: { error: 'server_error', error_description: `npm run apps failed: ${stderr || stdout}` } };
}
