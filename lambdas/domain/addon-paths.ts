/** Where the web login returns an add-in's login dialog to, for the confirmation. */
export const ADDONS_CALLBACK_PATH = '/addons/callback';
