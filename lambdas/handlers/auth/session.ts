import { liveSession } from '../../domain/sessions';
import { appConfig } from '../../shared/config';
import { Unauthenticated } from '../../shared/errors';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { presentedSessionToken } from '../session-credentials';

const config = appConfig();

/** GET /auth/session — who the session cookie or Bearer session token belongs to. */
export const handler = httpHandler('none', async (event) => {
  const token = presentedSessionToken(event, config);
  const session = token === undefined ? undefined : await liveSession(token);
  if (!session) throw new Unauthenticated('no live session');
  return jsonResponse(200, {
    user: { sub: session.sub, email: session.email ?? null, name: session.name ?? null },
    expires_at: session.expiresAt,
  });
});
