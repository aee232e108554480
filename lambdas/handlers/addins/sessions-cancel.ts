import { cancelAddinSession } from '../../domain/addin-confirmation';
import { jsonResponse } from '../../shared/http';
import { confirmationHandler } from './confirmation';

/**
 * POST /addons/sessions/cancel {"transit_token"} — the person declined in the dialog: the transit token is spent
 * and the add-in's next poll answers 404 "the sign-in was cancelled", instead of pending until the login expires.
 */
export const handler = confirmationHandler(false, async (transitToken) => {
  await cancelAddinSession(transitToken);
  return jsonResponse(200, { status: 'cancelled' });
});
