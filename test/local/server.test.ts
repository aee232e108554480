import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { RouteDefinition } from '../../lambdas/routes';
import { createLocalServer } from '../../local/server';

const echoRoute = (method: 'GET' | 'POST', timeoutSeconds?: number): RouteDefinition => ({
  id: `Echo${method}`,
  method,
  path: '/echo',
  entry: 'test/local/fixtures/echo-handler.ts',
  tables: {},
  secrets: [],
  timeoutSeconds,
});

let server: Server;
let base: string;

beforeAll(async () => {
  server = createLocalServer([echoRoute('GET', 1), echoRoute('POST')]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('local API Gateway', () => {
  it('hands the route handler a payload 2.0 event and writes its result back, cookies included', async () => {
    const response = await fetch(`${base}/echo?x=1&x=2`, {
      method: 'POST',
      headers: { cookie: 'c=3; d=4', 'content-type': 'application/json', 'X-Custom': 'v' },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    const event = await response.json();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo',
      rawPath: '/echo',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      cookies: ['c=3', 'd=4'],
      body: '{"hello":"world"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/echo', sourceIp: '127.0.0.1' }, stage: '$default' },
    });
    expect(event.headers['x-custom']).toBe('v');
    expect(event.headers.cookie).toBeUndefined();
  });

  it('base64-encodes bodies that are not text', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255]),
    });
    const event = await response.json();
    expect(event).toMatchObject({ body: 'AP8=', isBase64Encoded: true });
  });

  it('answers 404 for a path or method that is not in the route table', async () => {
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/echo`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 413 for a body over 1 MB without calling the handler', async () => {
    const response = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });

  it('answers 500 when the handler throws, as API Gateway does for a failed integration', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockReturnValue(true);
    const response = await fetch(`${base}/echo?fail`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    stderr.mockRestore();
  });

  it("stops waiting for a handler at the route's timeout", async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockReturnValue(true);
    const response = await fetch(`${base}/echo?slow`);
    expect(response.status).toBe(500);
    stderr.mockRestore();
  });
});
