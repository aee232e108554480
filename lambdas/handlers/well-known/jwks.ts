import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { KEY_CACHE_SECONDS, signingKeyStore } from '../../shared/signing-keys';

const keys = signingKeyStore();

/** GET /.well-known/jwks.json — the public parts of the current and previous signing keys. */
export const handler = httpHandler('none', async () =>
  jsonResponse(200, { keys: await keys.publicKeys() }, { 'Cache-Control': `public, max-age=${KEY_CACHE_SECONDS}` }),
);
