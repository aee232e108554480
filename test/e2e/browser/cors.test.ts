import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { resourcesOfType } from '../../../local/stack-template';
import type { LocalGuichet } from '../../../local/start';
import { launchChromium, loopbackOnlyContext } from '../../support/chromium';
import { startTestGuichet } from '../../support/local-guichet';

/**
 * Browser clients on other origins, in Chromium with web security on: a product's web app and an Office add-in
 * served from their own origin call guichet with `fetch(…, {credentials: 'include'})`. Three setups:
 * - cross-origin, same site (127.0.0.1 on another port, as app.example.com and auth.example.com): listed in
 *   CORS_ORIGINS, everything works, the session cookie included;
 * - cross-site (localhost, another site than 127.0.0.1, as an add-in host inside Outlook on the web): listed, the
 *   add-in works with its partitioned SameSite=None cookie, but the web session's SameSite=Lax cookie is not sent;
 * - an unlisted origin: the browser lets the page read nothing.
 */
let guichet: LocalGuichet;
let browser: Browser | undefined;
let context: BrowserContext;
let listed: Server;
let unlisted: Server;
let listedPort: number;
let unlistedPort: number;

async function pageServer(): Promise<[Server, number]> {
  const server = createServer((_, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>a product</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return [server, (server.address() as AddressInfo).port];
}

beforeAll(async () => {
  [listed, listedPort] = await pageServer();
  [unlisted, unlistedPort] = await pageServer();
  guichet = await startTestGuichet({ CORS_ORIGINS: `http://127.0.0.1:${listedPort},http://localhost:${listedPort}` });
  browser = await launchChromium();
  ({ context } = await loopbackOnlyContext(browser, ['127.0.0.1', 'localhost']));
  // The person signs in to guichet first, in this browser: its session cookie is set for 127.0.0.1.
  const login = await context.newPage();
  await login.goto(`${guichet.publicUrl}/auth/login?returnTo=/auth/session`);
  await login.locator('input[name="username"]').fill('cora');
  await login.locator('form button[type="submit"]').click();
  await login.waitForURL(`${guichet.publicUrl}/auth/session`);
  await login.close();
}, 30_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
  listed?.close();
  unlisted?.close();
});

interface Outcome {
  readonly status?: number;
  readonly body?: Record<string, unknown>;
  readonly refused?: string;
}

/** What a page of `origin` gets for each call, made as a product's own script would make it. */
async function fromPageOf(origin: string): Promise<{ init: Outcome; poll: Outcome; session: Outcome }> {
  const page: Page = await context.newPage();
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(async (guichetUrl) => {
      const call = async (path: string, init: RequestInit): Promise<Outcome> => {
        try {
          const response = await fetch(`${guichetUrl}${path}`, { ...init, credentials: 'include' });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        } catch (error) {
          return { refused: (error as Error).name };
        }
      };
      const init = await call('/addons/sessions/init', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ addin_name: 'Cross' }),
      });
      const csrf = (init.body?.csrf_token as string | undefined) ?? 'none';
      const poll = await call('/addons/sessions/poll', { method: 'POST', headers: { 'X-CSRFToken': csrf } });
      const session = await call('/auth/session', { method: 'GET' });
      return { init, poll, session };
    }, guichet.publicUrl);
  } finally {
    await page.close();
  }
}

describe('CORS with credentials, in Chromium with web security on', () => {
  it('lets a listed origin of the same site init and poll an add-in login and read the web session', async () => {
    const { init, poll, session } = await fromPageOf(`http://127.0.0.1:${listedPort}`);
    expect(init.status).toBe(201);
    expect(init.body).toEqual({ transit_token: expect.any(String), csrf_token: expect.any(String), expires_in: 600, interval: 2 });
    expect(poll).toEqual({ status: 202, body: { state: 'pending' } });
    expect(session.status).toBe(200);
    expect(session.body?.user).toMatchObject({ sub: 'cora' });
  });

  it('lets a listed origin of another site run the add-in login (its cookie is partitioned), but sends it no web session', async () => {
    const { init, poll, session } = await fromPageOf(`http://localhost:${listedPort}`);
    expect(init.status).toBe(201);
    expect(poll).toEqual({ status: 202, body: { state: 'pending' } });
    // SameSite=Lax: a web app on another site must use a token (POST /auth/token) or be on guichet's site.
    expect(session.status).toBe(401);
  });

  it('lets a page of an unlisted origin read nothing', async () => {
    const { init, poll, session } = await fromPageOf(`http://127.0.0.1:${unlistedPort}`);
    expect(init).toEqual({ refused: 'TypeError' });
    expect(poll).toEqual({ refused: 'TypeError' });
    expect(session).toEqual({ refused: 'TypeError' });
  });
});

describe("the local gateway's CORS, from the template", () => {
  it('answers preflights with exactly the configuration the template gives the API', async () => {
    const [[, api]] = resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Api');
    const cors = api.Properties!.CorsConfiguration as Record<string, unknown>;
    expect(cors).toEqual({
      AllowOrigins: [`http://127.0.0.1:${listedPort}`, `http://localhost:${listedPort}`],
      AllowCredentials: true,
      AllowMethods: ['GET', 'POST'],
      AllowHeaders: ['content-type', 'x-csrftoken', 'x-guichet-completion', 'authorization', 'x-requested-with'],
      ExposeHeaders: ['Retry-After'],
      MaxAge: 3600,
    });
    const preflight = await fetch(`${guichet.publicUrl}/addons/sessions/poll`, {
      method: 'OPTIONS',
      headers: {
        origin: `http://127.0.0.1:${listedPort}`,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-csrftoken, x-guichet-completion',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(`http://127.0.0.1:${listedPort}`);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'content-type,x-csrftoken,x-guichet-completion,authorization,x-requested-with',
    );
    expect(preflight.headers.get('access-control-max-age')).toBe('3600');
  });

  it('puts the CORS headers and Vary: Origin on answers to a listed origin, and no Allow-Origin for any other', async () => {
    const answer = (origin?: string) => fetch(`${guichet.publicUrl}/auth/session`, { headers: origin ? { origin } : {} });
    const listedAnswer = await answer(`http://127.0.0.1:${listedPort}`);
    expect(listedAnswer.headers.get('access-control-allow-origin')).toBe(`http://127.0.0.1:${listedPort}`);
    expect(listedAnswer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listedAnswer.headers.get('vary')).toBe('Origin');
    for (const other of [`http://127.0.0.1:${unlistedPort}`, 'https://evil.example', undefined]) {
      const response = await answer(other);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('vary')).toBe('Origin');
    }
  });
});
