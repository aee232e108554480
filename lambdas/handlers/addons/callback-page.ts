import { keepingOpener } from '../../domain/addon-paths';
import { httpHandler } from '../../shared/middleware/http-handler';
import { htmlPage } from '../../shared/html-page';
import { ADDONS_CALLBACK_PAGE } from '../../pages/addons-callback';

const page = htmlPage(ADDONS_CALLBACK_PAGE);

/** GET /addons/callback — the dialog returns here from the web login and asks for confirmation. */
export const handler = httpHandler('none', async () => keepingOpener(page()));
