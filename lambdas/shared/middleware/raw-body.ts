import { PayloadTooLarge, UnsupportedMediaType } from '../errors';
import { type HttpEvent, header } from '../http';

/** Bodies above this are refused before parsing: no endpoint of guichet needs more. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * The request body as text if it is of the expected media type; undefined when there is none.
 * A body of another type is refused (415) rather than guessed at.
 */
export function textBody(event: HttpEvent, mediaType: string, maxBytes: number): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const bytes = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > maxBytes) throw new PayloadTooLarge(`request body exceeds ${maxBytes} bytes`);
  const contentType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== mediaType) throw new UnsupportedMediaType(`request body must be ${mediaType}`);
  return bytes.toString('utf8');
}
