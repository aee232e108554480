import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { readBody } from '../aws/calls';

/**
 * The example product's own backend, as a product team would write it with `jose` and nothing of guichet's: it keeps
 * a session of its own for each guichet session (`sid`) whose user tokens it accepted, and registers a back-channel
 * logout endpoint in API_AUDIENCES, where guichet posts a logout token when that guichet session ends. The token is
 * checked against guichet's JWKS (OpenID Connect Back-Channel Logout 1.0 §2.6), and the product's session of that
 * `sid` is dropped. Receivers dedupe on `sid`: guichet delivers at least once, each attempt with a fresh `jti`.
 */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface VerifiedLogout {
  readonly sid: string;
  readonly sub?: string;
  readonly jti: string;
}

/** Checks a logout token from guichet for this audience: signature, `typ`, issuer, audience, age, event, `sid`, no nonce. */
export function logoutTokenVerifier(options: { readonly issuer: string; readonly audience: string }) {
  const keys = createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`));
  return async (token: string): Promise<VerifiedLogout> => {
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'logout+jwt',
      maxTokenAge: '2 minutes',
      requiredClaims: ['iat', 'exp', 'jti', 'sid', 'events'],
    });
    const event = (payload.events as Record<string, unknown> | undefined)?.[BACKCHANNEL_LOGOUT_EVENT];
    if (typeof event !== 'object' || event === null) throw new Error('not a logout token: the back-channel logout event is missing');
    if ('nonce' in payload) throw new Error('a logout token never carries a nonce');
    return { sid: String(payload.sid), sub: (payload as JWTPayload).sub, jti: String(payload.jti) };
  };
}

/** What the backend shows: the guichet sessions it holds a session for, and the logouts it received, newest first. */
export interface ProductBackendState {
  readonly sessions: readonly { readonly sid: string; readonly sub: string }[];
  readonly logouts: readonly {
    readonly at: string;
    readonly sid: string;
    readonly sub?: string;
    readonly jti: string;
    readonly dropped: boolean;
  }[];
}

const KEPT_LOGOUTS = 20;
const MAX_FORM_BYTES = 16 * 1024;

export class ProductBackend {
  private readonly sessions = new Map<string, string>();
  private readonly logouts: ProductBackendState['logouts'][number][] = [];
  private readonly verify: ReturnType<typeof logoutTokenVerifier>;

  constructor(options: { readonly issuer: string; readonly audience: string }) {
    this.verify = logoutTokenVerifier(options);
  }

  /** The backend accepted a user token of this guichet session: it holds a session of its own for it. */
  opened(sid: string | undefined, sub: string): void {
    if (sid) this.sessions.set(sid, sub);
  }

  state(): ProductBackendState {
    return { sessions: [...this.sessions].map(([sid, sub]) => ({ sid, sub })), logouts: [...this.logouts] };
  }

  /** POST of a logout token: 200 once checked and the session dropped, 400 for anything else (guichet keeps it as failed). */
  async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const body = await readBody(request);
      if (body.length > MAX_FORM_BYTES) throw new Error('the form is too large');
      const form = new URLSearchParams(body.toString('utf8'));
      const logout = await this.verify(form.get('logout_token') ?? '');
      const dropped = this.sessions.delete(logout.sid);
      this.logouts.unshift({ at: new Date().toISOString(), ...logout, dropped });
      this.logouts.length = Math.min(this.logouts.length, KEPT_LOGOUTS);
      response.writeHead(200, { 'Cache-Control': 'no-store' }).end();
    } catch (error) {
      response.writeHead(400, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify({ error: 'invalid_request', error_description: (error as Error).message }));
    }
  }
}
