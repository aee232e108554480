/**
 * One class per error the API answers, each carrying its HTTP status and its contract code
 * (the OAuth code where one fits). Handlers throw them; the error middleware renders them.
 */
export abstract class HttpError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(readonly description: string) {
    super(description);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends HttpError {
  readonly status = 400;
  readonly code = 'invalid_request';
}

export class InvalidGrant extends HttpError {
  readonly status = 400;
  readonly code = 'invalid_grant';
}

/** RFC 6749 §5.2: bad client credentials or an inactive application; `WWW-Authenticate` when Basic was used. */
export class InvalidClient extends HttpError {
  readonly status = 401;
  readonly code = 'invalid_client';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(description: string, usedBasic: boolean) {
    super(description);
    this.headers = usedBasic ? { 'WWW-Authenticate': 'Basic realm="guichet", charset="UTF-8"' } : {};
  }
}

export class InvalidScope extends HttpError {
  readonly status = 400;
  readonly code = 'invalid_scope';
}

/** RFC 8693 §2.2.2: the audience or resource asked for is not one guichet mints tokens for. */
export class InvalidTarget extends HttpError {
  readonly status = 400;
  readonly code = 'invalid_target';
}

export class UnsupportedGrantType extends HttpError {
  readonly status = 400;
  readonly code = 'unsupported_grant_type';
}

/** RFC 6750 §3.1: a missing, malformed, expired or foreign access token. */
export class InvalidToken extends HttpError {
  readonly status = 401;
  readonly code = 'invalid_token';
  override readonly headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
}

export class AccessDenied extends HttpError {
  readonly status = 403;
  readonly code = 'access_denied';
}

/** 401 for a missing, unknown or expired session. */
export class Unauthenticated extends HttpError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  override readonly headers = { 'WWW-Authenticate': 'Bearer' };
}

export class NotFound extends HttpError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class MethodNotAllowed extends HttpError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
}

export class PayloadTooLarge extends HttpError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaType extends HttpError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/** The identity provider refused what guichet is configured with (its client credentials): not temporary. */
export class UpstreamError extends HttpError {
  readonly status = 502;
  readonly code = 'server_error';
}

/**
 * Something guichet needs is not there yet or cannot be reached now: a retry after `Retry-After` may succeed.
 * 503 by default; 502 and 504 for a dependency that could not be reached or did not answer in time.
 */
export class TemporarilyUnavailable extends HttpError {
  readonly code = 'temporarily_unavailable';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    description: string,
    retryAfterSeconds: number,
    readonly status: 502 | 503 | 504 = 503,
  ) {
    super(description);
    this.headers = { 'Retry-After': String(Math.max(1, retryAfterSeconds)) };
  }
}

export class ServerError extends HttpError {
  readonly status = 500;
  readonly code = 'server_error';
}

/** 429 with the number of seconds to wait in `Retry-After`. */
export class TooManyRequests extends HttpError {
  readonly status = 429;
  readonly code = 'slow_down';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.headers = { 'Retry-After': String(Math.max(1, retryAfterSeconds)) };
  }
}
