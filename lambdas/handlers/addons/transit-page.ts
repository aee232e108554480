import { keepingOpener } from '../../domain/addon-paths';
import { httpHandler } from '../../shared/middleware/http-handler';
import { htmlPage } from '../../shared/html-page';
import { ADDONS_TRANSIT_PAGE } from '../../pages/addons-transit';

const page = htmlPage(ADDONS_TRANSIT_PAGE);

/** GET /addons/transit — the add-in's login dialog starts here. */
export const handler = httpHandler('none', async () => keepingOpener(page()));
