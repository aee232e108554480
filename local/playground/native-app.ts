import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * The playground's simulated native app. A real app makes a PKCE pair, opens the system browser on
 * /auth/login with `returnTo=visio://…` and waits for the operating system to hand it the custom-scheme
 * redirect that ends the login. A browser tab cannot receive such a redirect, so here:
 *
 * - the "app" lives in the local server: `startNativeLogin` makes the PKCE pair and keeps the verifier in
 *   memory under a random id, which is also the app `state` of the login;
 * - the local server plays the operating system: when a handler answers a redirect to
 *   `<scheme>://playground?…&state=<an id made here>` (guichet's /auth/callback ending a native login),
 *   `handOverNativeRedirect` records that URL for the app and sends the browser window to a playground
 *   page instead of to a scheme nothing handles. Any other response passes untouched.
 * - the playground page collects the received URL and the verifier (`collectNativeRedirect`) and performs
 *   the exchange itself, as the app would.
 */
const PENDING_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 100;
export const HANDED_OVER_PATH = '/playground/native/handed-over';

interface PendingNativeLogin {
  readonly verifier: string;
  readonly startedAt: number;
  received?: string;
}

/** The native-app redirect the playground uses: an allowed scheme, host `playground`. */
export function playgroundReturnTo(scheme: string): string {
  return `${scheme}://playground`;
}

export interface NativeLoginStart {
  readonly id: string;
  readonly return_to: string;
  readonly code_challenge: string;
  readonly login_url: string;
}

export type CollectedRedirect =
  | { readonly state: 'unknown' }
  | { readonly state: 'waiting' }
  | { readonly state: 'received'; readonly redirect: string; readonly code_verifier: string };

/** The simulated app and operating system of one local guichet. */
export class SimulatedNativeApp {
  private readonly pending = new Map<string, PendingNativeLogin>();

  constructor(private readonly returnTo: string) {}

  start(): NativeLoginStart {
    this.prune();
    const id = randomBytes(32).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    this.pending.set(id, { verifier, startedAt: Date.now() });
    const query = new URLSearchParams({ returnTo: this.returnTo, code_challenge: challenge, code_challenge_method: 'S256', state: id });
    return { id, return_to: this.returnTo, code_challenge: challenge, login_url: `/auth/login?${query}` };
  }

  /** What the app received for login `id`; once received, it is handed to the page once and forgotten. */
  collect(id: string): CollectedRedirect {
    this.prune();
    const login = this.pending.get(id);
    if (!login) return { state: 'unknown' };
    if (login.received === undefined) return { state: 'waiting' };
    this.pending.delete(id);
    return { state: 'received', redirect: login.received, code_verifier: login.verifier };
  }

  /** Called by the local server on every function result: catches the redirects meant for the playground's app. */
  handOver(result: APIGatewayProxyResultV2): APIGatewayProxyResultV2 {
    if (typeof result !== 'object' || result === null || !('statusCode' in result)) return result;
    const status = result.statusCode ?? 200;
    if (status < 300 || status >= 400 || this.pending.size === 0) return result;
    const headers = Object.entries(result.headers ?? {});
    const location = headers.find(([name]) => name.toLowerCase() === 'location')?.[1];
    if (typeof location !== 'string' || !location.startsWith(`${this.returnTo}?`)) return result;
    const login = this.pending.get(new URL(location).searchParams.get('state') ?? '');
    if (!login || login.received !== undefined) return result;
    login.received = location;
    return {
      ...result,
      headers: { ...Object.fromEntries(headers.filter(([name]) => name.toLowerCase() !== 'location')), Location: HANDED_OVER_PATH },
    };
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, login] of this.pending) if (now - login.startedAt > PENDING_TTL_MS) this.pending.delete(id);
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }
}
