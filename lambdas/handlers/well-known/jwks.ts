import { appConfig } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { signingKeyStore } from '../../shared/signing-keys';

const { signingKeysCacheSeconds } = appConfig();
const keys = signingKeyStore(signingKeysCacheSeconds);

/** GET /.well-known/jwks.json — the public parts of the current and previous signing keys. */
export const handler = httpHandler('none', async () =>
  jsonResponse(200, { keys: await keys.publicKeys() }, { 'Cache-Control': `public, max-age=${signingKeysCacheSeconds}` }),
);
