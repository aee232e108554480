import { describeAddinLogin } from '../../domain/addin-confirmation';
import { jsonResponse } from '../../shared/http';
import { confirmationHandler } from './confirmation';

/**
 * POST /addons/sessions/describe {"transit_token"} — what the confirmation page shows the logged-in person before
 * they confirm: the add-in's name as `init` stored it, never one the dialog's link could choose.
 */
export const handler = confirmationHandler(true, async (transitToken) => {
  const described = await describeAddinLogin(transitToken);
  return jsonResponse(200, { addin_name: described.addinName, expires_in: described.expiresIn });
});
