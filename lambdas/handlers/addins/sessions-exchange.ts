import { completeAddinSession } from '../../domain/addin-confirmation';
import { appConfig } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { signingKeyStore } from '../../shared/signing-keys';
import { confirmationHandler } from './confirmation';

const config = appConfig();
const keys = signingKeyStore(config.signingKeysCacheSeconds);

/**
 * POST /addons/sessions/exchange {"transit_token"} — the confirmed login dialog hands the logged-in user to the
 * add-in session, and gets the completion code to pass to the add-in's window only.
 */
export const handler = confirmationHandler(true, async (transitToken, session) => {
  const completed = await completeAddinSession(transitToken, session, keys.currentKey, config);
  return jsonResponse(200, { status: 'ok', completion: completed.completion, addin_origin: completed.addinOrigin });
});
