import { ADDIN_CALLBACK_PAGE } from '../../pages/addins-callback';
import { htmlPage } from '../../shared/html-page';
import { httpHandler } from '../../shared/middleware/http-handler';
import { keepingOpener } from '../addin-paths';

const page = htmlPage(ADDIN_CALLBACK_PAGE);

/** GET /addons/callback — the dialog returns here from the web login and asks for confirmation. */
export const handler = httpHandler('none', async () => keepingOpener(page()));
