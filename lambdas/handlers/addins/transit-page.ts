import { ADDIN_TRANSIT_PAGE } from '../../pages/addins-transit';
import { htmlPage } from '../../shared/html-page';
import { httpHandler } from '../../shared/middleware/http-handler';
import { keepingOpener } from '../addin-paths';

const page = htmlPage(ADDIN_TRANSIT_PAGE);

/** GET /addons/transit — the add-in's login dialog starts here. */
export const handler = httpHandler('none', async () => keepingOpener(page()));
