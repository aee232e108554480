import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InvalidRequest } from './errors';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function redirectResponse(location: string, cookies: string[] = []): HttpResult {
  return { statusCode: 302, headers: { Location: location }, cookies, body: '' };
}

/** Header lookup that does not depend on the case API Gateway or a local server used. */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * A single-valued query parameter, read from the raw query string because API Gateway joins repeated
 * parameters with commas; a repeated one is refused rather than guessed at.
 */
export function queryParameter(event: HttpEvent, name: string): string | undefined {
  const values = new URLSearchParams(event.rawQueryString ?? '').getAll(name);
  if (values.length > 1) throw new InvalidRequest(`parameter ${name} must not be repeated`);
  return values[0];
}
