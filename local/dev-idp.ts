import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/**
 * The development identity provider: a real OpenID provider (panva's oidc-provider) whose login page
 * accepts any user name, with guichet registered as its client. It is what `npm start` and the
 * end-to-end tests log in against; it is never deployed.
 */
export interface DevIdpOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** guichet's public base URL: its callback, post-logout and back-channel logout URIs hang off it. */
  readonly guichetPublicUrl: string;
  readonly postLogoutOrigins: readonly string[];
}

export interface DevIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  close(): Promise<void>;
}

const CLIENT_ID = 'guichet-local';

export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  // The issuer must carry the real port, so the socket is bound before the provider is built.
  let dispatch: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => response.end();
  const server: Server = createServer((request, response) => dispatch(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;
  const clientSecret = randomBytes(32).toString('base64url');

  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, await providerConfiguration(options, clientSecret));
  const callback = provider.callback();
  dispatch = (request, response) => {
    const interaction = new URL(request.url ?? '/', issuer).pathname.match(/^\/interaction\/([\w-]+)$/);
    if (!interaction) {
      callback(request, response);
      return;
    }
    handleLogin(provider, request, response).catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(`login failed: ${(error as Error).message}`);
    });
  };

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function providerConfiguration(options: DevIdpOptions, clientSecret: string): Promise<Configuration> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: [`${options.guichetPublicUrl}/auth/callback`],
        post_logout_redirect_uris: options.postLogoutOrigins.map((origin) => `${origin}/`),
        backchannel_logout_uri: `${options.guichetPublicUrl}/auth/backchannel-logout`,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'dev-idp' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // guichet reads e-mail and name from the ID token, as it would from most production IdPs.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    ttl: { Interaction: 600, Session: 86400, Grant: 86400, AccessToken: 3600, IdToken: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, accountId) => ({
      accountId,
      claims: () => ({
        sub: accountId,
        email: accountId.includes('@') ? accountId : `${accountId}@example.test`,
        email_verified: true,
        name: accountId.split('@')[0],
      }),
    }),
    // guichet is this IdP's first-party client: consent is implied.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<pre>${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
    },
    // guichet's callback is on 127.0.0.1; the provider's outbound SSRF guard would refuse to deliver
    // back-channel logout tokens there, so the dev IdP fetches without it.
    fetch: (url, init) => globalThis.fetch(url, { ...init, dispatcher: undefined } as RequestInit),
  };
}

/** The login page: any user name signs in (an e-mail address is used as is). */
async function handleLogin(
  provider: import('oidc-provider').default,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (request.method === 'POST') {
    const form = new URLSearchParams(await readText(request));
    const username = form.get('username')?.trim();
    if (!username) throw new Error('a user name is required');
    await provider.interactionFinished(request, response, { login: { accountId: username } }, { mergeWithLastSubmission: false });
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(
    page(
      'Sign in',
      `<h1>Development IdP</h1>
<p>Any user name signs in (prompt: ${escapeHtml(details.prompt.name)}).</p>
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
  <label>User name or e-mail <input name="username" autofocus required></label>
  <button type="submit">Sign in</button>
</form>`,
    ),
  );
}

async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.body = page(
    'Sign out',
    `${form}<h1>Sign out of the development IdP?</h1>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>`,
  );
}

async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.body = page('Signed out', '<h1>You are signed out of the development IdP.</h1>');
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 4096) request.destroy(new Error('form too large'));
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}
