import { createServer, IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { toApiGatewayEvent, writeApiGatewayResult } from '../../local/api-gateway-event';

interface FakeRequest {
  readonly method?: string;
  readonly url?: string;
  /** As Node presents them: lower-case names, repeated headers already joined. */
  readonly headers?: Record<string, string | string[]>;
  readonly remoteAddress?: string;
}

/** An IncomingMessage with the fields toApiGatewayEvent reads, without any network. */
function fakeRequest(init: FakeRequest): IncomingMessage {
  const socket = new Socket();
  if (init.remoteAddress) Object.defineProperty(socket, 'remoteAddress', { value: init.remoteAddress });
  const request = new IncomingMessage(socket);
  request.method = init.method ?? 'GET';
  request.url = init.url ?? '/';
  request.httpVersion = '1.1';
  Object.defineProperty(request, 'headers', { value: init.headers ?? {} });
  return request;
}

/**
 * Feeds raw HTTP/1.1 bytes to a real Node HTTP server through an in-memory socket (no network) and hands
 * the parsed request, its body and the response to `handle`; resolves with the raw bytes written back.
 */
function exchange(
  raw: string,
  handle: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void,
): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const written: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        written.push(Buffer.from(chunk));
        callback();
      },
    });
    Object.defineProperty(socket, 'remoteAddress', { value: '203.0.113.7' });
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.on('finish', () => {
          const output = Buffer.concat(written);
          const split = output.indexOf('\r\n\r\n');
          const head = output.subarray(0, split).toString('latin1');
          const body = output.subarray(split + 4);
          resolve({ head, body: /^transfer-encoding: chunked$/im.test(head) ? dechunk(body) : body });
          socket.destroy();
        });
        try {
          handle(request, Buffer.concat(chunks), response);
        } catch (error) {
          reject(error);
        }
      });
    });
    server.emit('connection', socket);
    socket.push(raw);
  });
}

/** The payload of an HTTP/1.1 chunked body. */
function dechunk(encoded: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = encoded.indexOf('\r\n', at);
    const size = Number.parseInt(encoded.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(chunks);
    chunks.push(encoded.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

describe('toApiGatewayEvent', () => {
  test('describes the request the way API Gateway HTTP API (payload 2.0) does', () => {
    const request = fakeRequest({
      method: 'GET',
      url: '/auth/login?returnTo=%2Frooms',
      headers: { host: '127.0.0.1:8787', 'user-agent': 'curl/8' },
      remoteAddress: '198.51.100.4',
    });
    const event = toApiGatewayEvent(request, Buffer.alloc(0), 'GET /auth/login');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /auth/login',
      rawPath: '/auth/login',
      rawQueryString: 'returnTo=%2Frooms',
      queryStringParameters: { returnTo: '/rooms' },
      headers: { host: '127.0.0.1:8787', 'user-agent': 'curl/8' },
      requestContext: {
        domainName: '127.0.0.1:8787',
        routeKey: 'GET /auth/login',
        stage: '$default',
        http: { method: 'GET', path: '/auth/login', protocol: 'HTTP/1.1', sourceIp: '198.51.100.4', userAgent: 'curl/8' },
      },
      isBase64Encoded: false,
    });
    expect(event.body).toBeUndefined();
    expect(event.cookies).toBeUndefined();
  });

  test('keeps the raw path and query as sent, never reading "//host" as a host nor re-encoding', () => {
    const event = toApiGatewayEvent(fakeRequest({ url: "//evil.example/auth/session?q='x'" }), Buffer.alloc(0), 'GET /');
    expect(event.rawPath).toBe('//evil.example/auth/session');
    expect(event.rawQueryString).toBe("q='x'");
  });

  test('gives each request its own id', () => {
    const request = fakeRequest({});
    expect(toApiGatewayEvent(request, Buffer.alloc(0), 'GET /').requestContext.requestId).not.toBe(
      toApiGatewayEvent(request, Buffer.alloc(0), 'GET /').requestContext.requestId,
    );
  });

  test('falls back to the loopback address when the socket has none', () => {
    expect(toApiGatewayEvent(fakeRequest({}), Buffer.alloc(0), 'GET /').requestContext.http.sourceIp).toBe('127.0.0.1');
  });

  test('has no query parameters without a query string', () => {
    const event = toApiGatewayEvent(fakeRequest({ url: '/auth/session' }), Buffer.alloc(0), 'GET /auth/session');
    expect(event.rawQueryString).toBe('');
    expect(event.queryStringParameters).toBeUndefined();
  });

  test('joins a repeated query parameter with commas but keeps the repeat in the raw query string', () => {
    const event = toApiGatewayEvent(
      fakeRequest({ url: '/auth/login?returnTo=%2Fa&x=1&returnTo=%2Fb' }),
      Buffer.alloc(0),
      'GET /auth/login',
    );
    expect(event.queryStringParameters).toEqual({ returnTo: '/a,/b', x: '1' });
    expect(event.rawQueryString).toBe('returnTo=%2Fa&x=1&returnTo=%2Fb');
  });

  test('splits the Cookie header into cookies and leaves it out of the headers', () => {
    const request = fakeRequest({ headers: { cookie: 'guichet_session=abc;  theme=dark; ', accept: '*/*' } });
    const event = toApiGatewayEvent(request, Buffer.alloc(0), 'GET /');
    expect(event.cookies).toEqual(['guichet_session=abc', 'theme=dark']);
    expect(event.headers).toEqual({ accept: '*/*' });
  });

  test('passes a JSON body as text', () => {
    const request = fakeRequest({ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } });
    const event = toApiGatewayEvent(request, Buffer.from('{"name":"Zoé"}'), 'POST /auth/session-exchange');
    expect(event.body).toBe('{"name":"Zoé"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  test.each(['application/x-www-form-urlencoded', 'text/plain'])('passes a body of type %s as text', (contentType) => {
    const request = fakeRequest({ method: 'POST', headers: { 'content-type': contentType } });
    const event = toApiGatewayEvent(request, Buffer.from('logout_token=a.b.c'), 'POST /x');
    expect(event).toMatchObject({ body: 'logout_token=a.b.c', isBase64Encoded: false });
  });

  test.each([
    ['a binary media type', { 'content-type': 'application/octet-stream' }],
    ['no media type', {}],
  ])('passes a body with %s as base64', (_, headers) => {
    const bytes = Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x0a]);
    const event = toApiGatewayEvent(fakeRequest({ method: 'POST', headers }), bytes, 'POST /x');
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  test('reads a request parsed by Node: lower-case header names, every Cookie header split', async () => {
    const form = 'returnTo=%2F';
    const raw = [
      'POST /auth/logout?returnTo=%2F HTTP/1.1',
      'Host: 127.0.0.1:8787',
      'Content-Type: application/x-www-form-urlencoded',
      'X-CSRFToken: t0k3n',
      'Cookie: guichet_session=abc',
      'Cookie: theme=dark; lang=fr',
      `Content-Length: ${form.length}`,
      '',
      form,
    ].join('\r\n');
    let event: ReturnType<typeof toApiGatewayEvent> | undefined;
    await exchange(raw, (request, body, response) => {
      event = toApiGatewayEvent(request, body, 'POST /auth/logout');
      response.end();
    });
    expect(event?.headers).toEqual({
      host: '127.0.0.1:8787',
      'content-type': 'application/x-www-form-urlencoded',
      'x-csrftoken': 't0k3n',
      'content-length': '12',
    });
    expect(event?.cookies).toEqual(['guichet_session=abc', 'theme=dark', 'lang=fr']);
    expect(event?.body).toBe(form);
    expect(event?.requestContext.http).toMatchObject({ method: 'POST', sourceIp: '203.0.113.7' });
  });
});

describe('writeApiGatewayResult', () => {
  const GET = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const write = (result: APIGatewayProxyResultV2) => exchange(GET, (_request, _body, response) => writeApiGatewayResult(response, result));

  test('writes the status, the headers and the body', async () => {
    const { head, body } = await write({
      statusCode: 400,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
      body: '{"error":"invalid_request"}',
    });
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toContain('\r\nContent-Type: application/json; charset=utf-8\r\n');
    expect(head).toContain('\r\nCache-Control: no-store\r\n');
    expect(body.toString()).toBe('{"error":"invalid_request"}');
  });

  test('turns each cookie into its own Set-Cookie header', async () => {
    const { head } = await write({
      statusCode: 302,
      headers: { Location: '/' },
      cookies: ['guichet_session=abc; Path=/; HttpOnly', 'guichet_flow=; Path=/auth; Max-Age=0'],
      body: '',
    });
    expect(head).toMatch(/^HTTP\/1\.1 302 /);
    expect(head.split('\r\n').filter((line) => /^set-cookie:/i.test(line))).toEqual([
      'set-cookie: guichet_session=abc; Path=/; HttpOnly',
      'set-cookie: guichet_flow=; Path=/auth; Max-Age=0',
    ]);
  });

  test('decodes a base64 body', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const { body } = await write({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true });
    expect(body).toEqual(bytes);
  });

  test('answers a plain string result as a 200 JSON body', async () => {
    const { head, body } = await write('"hello"');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect(body.toString()).toBe('"hello"');
  });

  test('answers an object without statusCode as a 200 JSON body holding the whole object', async () => {
    const { head, body } = await write({ body: 'x', headers: { 'X-A': '1' } });
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).not.toMatch(/^x-a:/im);
    expect(JSON.parse(body.toString())).toEqual({ body: 'x', headers: { 'X-A': '1' } });
  });
});
