import { completeAddonSession } from '../../domain/addon-confirmation';
import { jsonResponse } from '../../shared/http';
import { confirmationHandler } from './confirmation';

/**
 * POST /addons/sessions/exchange {"transit_token"} — the confirmed login dialog hands the logged-in user to the
 * add-in session.
 */
export const handler = confirmationHandler(true, async (transitToken, session) => {
  await completeAddonSession(transitToken, session);
  return jsonResponse(200, { status: 'ok' });
});
