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
  const pages = new IdpPages(options.guichetPublicUrl);
  const provider = new Provider(issuer, await providerConfiguration(options, clientSecret, pages));
  const callback = provider.callback();
  dispatch = (request, response) => {
    const interaction = new URL(request.url ?? '/', issuer).pathname.match(/^\/interaction\/([\w-]+)$/);
    if (!interaction) {
      callback(request, response);
      return;
    }
    handleLogin(provider, pages, request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.end();
      // oidc-provider's errors carry an OAuth code and a description ("interaction session not found").
      const { error: code, error_description: description } = error as { error?: string; error_description?: string };
      response.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(pages.error({ error: code ?? 'login_failed', error_description: description ?? (error as Error).message }));
    });
  };

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A browser's keep-alive connection to the login page would hold the server open.
        server.closeAllConnections();
      }),
  };
}

async function providerConfiguration(options: DevIdpOptions, clientSecret: string, pages: IdpPages): Promise<Configuration> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    clients: [
      {
        client_id: CLIENT_ID,
        client_name: 'guichet',
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
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => void (ctx.body = pages.logout(ctx, form)),
        postLogoutSuccessSource: async (ctx) => void (ctx.body = pages.loggedOut(ctx)),
      },
    },
    ttl: { Interaction: 600, Session: 86400, Grant: 86400, AccessToken: 3600, IdToken: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => accountClaims(accountId) }),
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
      ctx.body = pages.error(out);
    },
    // guichet's callback is on 127.0.0.1; the provider's outbound SSRF guard would refuse to deliver
    // back-channel logout tokens there, so the dev IdP fetches without it.
    fetch: (url, init) => globalThis.fetch(url, { ...init, dispatcher: undefined } as RequestInit),
  };
}

/**
 * A user name that starts with this signs in with an e-mail address the IdP has not verified
 * (`email_verified: false`), as on an IdP where people set their own address.
 */
export const UNVERIFIED_EMAIL_PREFIX = 'unverified:';

/** Who a user name signs in as: `ada` is ada@example.test, an e-mail address is used as is; both verified. */
export function accountClaims(accountId: string) {
  const unverified = accountId.startsWith(UNVERIFIED_EMAIL_PREFIX);
  const name = unverified ? accountId.slice(UNVERIFIED_EMAIL_PREFIX.length) : accountId;
  return {
    sub: accountId,
    email: name.includes('@') ? name : `${name}@example.test`,
    email_verified: !unverified,
    name: name.split('@')[0],
  };
}

/** The login page: any user name signs in (an e-mail address is used as is). */
async function handleLogin(
  provider: import('oidc-provider').default,
  pages: IdpPages,
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
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : undefined;
  const client = clientId ? await provider.Client.find(clientId) : undefined;
  const redirectUri = typeof details.params.redirect_uri === 'string' ? details.params.redirect_uri : undefined;
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(pages.login(details.uid, { name: client?.clientName, id: clientId }, redirectUri));
}

/**
 * The development IdP's pages: small, styled in the page itself (they are the IdP's, not under guichet's CSP), and
 * saying what happens next. The form fields and button values are the ones oidc-provider and the tests expect.
 */
class IdpPages {
  constructor(private readonly guichetPublicUrl: string) {}

  login(uid: string, client: { readonly name?: string; readonly id?: string }, redirectUri: string | undefined): string {
    const asking = client.id
      ? `<strong>${escapeHtml(client.name ?? client.id)}</strong> (client <code>${escapeHtml(client.id)}</code>) sent you here to sign in.`
      : 'An application sent you here to sign in.';
    const back = redirectUri ? ` to <code>${escapeHtml(redirectUri)}</code>` : '';
    return page(
      TITLE,
      `<h1>${TITLE}</h1>
<p>${asking} This is the identity provider that <code>npm start</code> runs for local work: there are no passwords,
the user name you type becomes who you are.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
  <label for="username">User name or e-mail</label>
  <input id="username" name="username" autocomplete="username" placeholder="ada" autofocus required>
  <button type="submit">Sign in</button>
</form>
<p class="hint"><code>ada</code> signs in as <code>sub</code> ada, e-mail ada@example.test; an e-mail address is used as
it is. With <code>${UNVERIFIED_EMAIL_PREFIX}</code> in front (<code>${UNVERIFIED_EMAIL_PREFIX}ceo@corp.example</code>) the
address is one this IdP has not verified: guichet then keeps no e-mail. The IdP then sends you back${back}, where guichet
creates your session. You stay signed in here until you sign
out at this IdP: the next login skips this page (single sign-on).</p>`,
    );
  }

  logout(ctx: KoaContextWithOIDC, form: string): string {
    const client = ctx.oidc.client;
    const who = ctx.oidc.session?.accountId;
    const asking = client
      ? `<strong>${escapeHtml(client.clientName ?? client.clientId)}</strong> has ended its own session and asks whether to sign you out of this IdP too.`
      : "You opened this IdP's sign-out page.";
    return page(
      'Sign out — Development IdP',
      `${form}<h1>Sign out of the development IdP?</h1>
<p>${asking}${who ? ` You are signed in here as <strong>${escapeHtml(who)}</strong>.` : ''}</p>
<p>Signing out ends your session at this IdP. The IdP then posts a logout token to guichet's
<code>/auth/backchannel-logout</code>, and guichet ends every session that came from this one: the web session and
any native app's.</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<p class="hint">To stay signed in, close this window.</p>`,
    );
  }

  loggedOut(ctx: KoaContextWithOIDC): string {
    const client = ctx.oidc.client;
    return page(
      'Signed out — Development IdP',
      `<h1>You are signed out of the development IdP.</h1>
<p>${client ? `${escapeHtml(client.clientName ?? client.clientId)} was told` : 'guichet was told'} with a back-channel logout
token, and ended the sessions that came from this one. The next login shows the login form again.</p>
<p>You can close this window, or go <a href="${escapeHtml(this.guichetPublicUrl)}/">back to guichet's local playground</a>.</p>`,
    );
  }

  error(out: { readonly error?: unknown; readonly error_description?: unknown }): string {
    const text = (value: unknown) => (typeof value === 'string' ? escapeHtml(value) : '');
    return page(
      'Error — Development IdP',
      `<h1>The development IdP could not go on</h1>
<p class="error"><strong>${text(out.error) || 'error'}</strong>${out.error_description ? `: ${text(out.error_description)}` : ''}</p>
<p>Most often the sign-in took longer than ten minutes, or this page was opened again from the history or in another
browser. Nothing was signed in: start again from guichet
(<a href="${escapeHtml(this.guichetPublicUrl)}/">the local playground</a>, or your application).</p>`,
    );
  }
}

const TITLE = 'Development IdP — any user name signs in';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1f;background:#f3f4f8;margin:0;padding:3rem 1rem}
main{max-width:32rem;margin:0 auto;background:#fff;border:1px solid #d9dbe3;border-radius:.6rem;padding:1.5rem 1.8rem}
.badge{display:inline-block;font-size:.75rem;background:#e8eefc;color:#1b4fd8;border-radius:1rem;padding:.1rem .6rem;margin-bottom:.6rem}
h1{font-size:1.35rem;margin:0 0 .8rem}p{margin:0 0 .9rem}.hint{font-size:.85rem;color:#5b5b66}
code{font-size:.85em;background:#f6f7fa;padding:0 .2rem;border-radius:.2rem}.error{color:#8c1d18;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin-bottom:.3rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.45rem .6rem;border:1px solid #8a8c99;border-radius:.3rem;margin-bottom:.8rem}
button{font:inherit;padding:.45rem 1.2rem;border-radius:.3rem;border:1px solid #1b4fd8;background:#1b4fd8;color:#fff;cursor:pointer;margin-bottom:.9rem}
form{margin:0}a{color:#1b4fd8}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><span class="badge">development IdP · local only</span>${body}</main></body></html>`;
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
