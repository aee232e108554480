import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpEvent } from './api-event';
import { invoke, jsonBody } from './integration';

type Handler = Parameters<typeof invoke>[0];

/** The add-in's origin in the handler tests: init answers only a page of an origin listed in CORS_ORIGINS. */
export const ADDIN_ORIGIN = 'https://addin.example.test';
/** The settings that list it. */
export const ADDIN_SETTINGS = { CORS_ORIGINS: ADDIN_ORIGIN };

export interface OpenedAddin {
  readonly sessionId: string;
  readonly transitToken: string;
  readonly csrfToken: string;
}

/** Opens an add-in session through the real init handler, from a page of the listed add-in origin. */
export async function openAddin(init: Handler, sourceIp = '192.0.2.50'): Promise<OpenedAddin> {
  const event = httpEvent({ method: 'POST', path: '/addons/sessions/init', headers: { origin: ADDIN_ORIGIN } });
  event.requestContext.http.sourceIp = sourceIp;
  const result = await invoke(init, event);
  if (result.statusCode !== 201) throw new Error(`init answered ${result.statusCode}`);
  const body = jsonBody(result);
  const sessionId = result.cookies![0].split(';')[0].split('=')[1];
  return { sessionId, transitToken: body.transit_token as string, csrfToken: body.csrf_token as string };
}

export function exchangeEvent(transitToken: unknown, sessionToken?: string, sourceIp = '192.0.2.51') {
  const event = httpEvent({
    method: 'POST',
    path: '/addons/sessions/exchange',
    headers: { 'content-type': 'application/json' },
    cookies: sessionToken === undefined ? undefined : [`guichet_session=${sessionToken}`],
    body: JSON.stringify({ transit_token: transitToken }),
  });
  event.requestContext.http.sourceIp = sourceIp;
  return event;
}

/** The confirmation page's other answers: describe (before confirming) and cancel, with the transit token. */
export function transitTokenEvent(path: string, transitToken: unknown, sessionToken?: string, sourceIp = '192.0.2.53') {
  const event = httpEvent({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    cookies: sessionToken === undefined ? undefined : [`guichet_session=${sessionToken}`],
    body: JSON.stringify({ transit_token: transitToken }),
  });
  event.requestContext.http.sourceIp = sourceIp;
  return event;
}

export const cancelEvent = (transitToken: unknown, sourceIp?: string) =>
  transitTokenEvent('/addons/sessions/cancel', transitToken, undefined, sourceIp);
export const describeEvent = (transitToken: unknown, sessionToken?: string, sourceIp?: string) =>
  transitTokenEvent('/addons/sessions/describe', transitToken, sessionToken, sourceIp);

/** The confirmation page's exchange, through the real handler: the completion code and the add-in's origin. */
export async function confirmAddin(
  exchange: Handler,
  addin: OpenedAddin,
  sessionToken: string,
): Promise<{ completion: string; addinOrigin: string }> {
  const result = await invoke(exchange, exchangeEvent(addin.transitToken, sessionToken));
  if (result.statusCode !== 200) throw new Error(`exchange answered ${result.statusCode}`);
  const body = jsonBody(result);
  return { completion: body.completion as string, addinOrigin: body.addin_origin as string };
}

/** A poll of the add-in: its cookie, its CSRF token and, once it has one, the completion code. */
export function pollEvent(addin: { sessionId?: string; csrfToken?: string; completion?: string }, query = '', sourceIp = '192.0.2.52') {
  const event = httpEvent({
    method: 'POST',
    path: '/addons/sessions/poll',
    query,
    cookies: addin.sessionId === undefined ? undefined : [`guichet_addons_sid=${addin.sessionId}`],
    headers: {
      ...(addin.csrfToken === undefined ? {} : { 'x-csrftoken': addin.csrfToken }),
      ...(addin.completion === undefined ? {} : { 'x-guichet-completion': addin.completion }),
    },
  });
  event.requestContext.http.sourceIp = sourceIp;
  return event;
}

export const statusesOf = (results: APIGatewayProxyStructuredResultV2[]) => results.map((result) => result.statusCode);
