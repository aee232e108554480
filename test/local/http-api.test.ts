import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HttpApiDefinition, httpApiListener } from '../../local/http-api';
import type { Invocation } from '../../local/lambda/local-function';

const ECHO = 'arn:aws:lambda:eu-west-1:000000000000:function:echo';
const definition: HttpApiDefinition = {
  routes: new Map([
    ['POST /echo', { routeKey: 'POST /echo', functionArn: ECHO }],
    ['GET /echo', { routeKey: 'GET /echo', functionArn: ECHO }],
    ['GET /scarce', { routeKey: 'GET /scarce', functionArn: ECHO, throttle: { rateLimit: 1, burstLimit: 2 } }],
  ]),
  cors: {
    AllowOrigins: ['http://127.0.0.1:9420'],
    AllowCredentials: true,
    AllowMethods: ['GET', 'POST'],
    AllowHeaders: ['content-type', 'x-csrftoken'],
    MaxAge: 600,
  },
};

/** What the fake function does, by the query string of the request. */
async function invoke(_: string, event: unknown): Promise<Invocation> {
  const { rawQueryString } = event as APIGatewayProxyEventV2;
  if (rawQueryString === 'fail') return { outcome: 'error', phase: 'invoke', errorType: 'Error', errorMessage: 'failed' };
  if (rawQueryString === 'timeout') return { outcome: 'timeout' };
  if (rawQueryString === 'slow') await new Promise((resolve) => setTimeout(resolve, 400));
  return {
    outcome: 'result',
    payload: {
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-echo': 'yes', 'Access-Control-Allow-Origin': '*', vary: 'Origin' },
      cookies: ['a=1; Path=/', 'b=2; Path=/'],
      body: JSON.stringify(event),
    },
  };
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(httpApiListener(definition, { invoke, integrationTimeoutMs: 200 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the local HTTP API', () => {
  it("hands the route's function a payload 2.0 event and writes its answer back, cookies included", async () => {
    const response = await fetch(`${base}/echo?x=1&x=2`, {
      method: 'POST',
      headers: { cookie: 'c=3; d=4', 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(await response.json()).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo',
      rawQueryString: 'x=1&x=2',
      cookies: ['c=3', 'd=4'],
      body: '{"hello":"world"}',
      requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
    });
  });

  it.each([
    ['a path no route has', '/nowhere', 404, 'Not Found'],
    ['a failing function', '/echo?fail', 500, 'Internal Server Error'],
    ['a function that timed out', '/echo?timeout', 500, 'Internal Server Error'],
    ['a function slower than the integration timeout', '/echo?slow', 503, 'Service Unavailable'],
  ])('answers %s as API Gateway does', async (_, target, status, message) => {
    const response = await fetch(`${base}${target}`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message });
  });

  it("throttles a route at its stage limits, with API Gateway's 429", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${base}/scarce`)).status);
    expect(statuses.slice(0, 2)).toEqual([201, 201]);
    expect(statuses.slice(2)).toContain(429);
  });

  describe('CORS, from the API configuration', () => {
    const preflight = (origin: string, method = 'POST', headers = 'content-type, x-csrftoken') =>
      fetch(`${base}/echo`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
      });

    it('answers a preflight of a listed origin itself, with the configured headers', async () => {
      const response = await preflight('http://127.0.0.1:9420');
      expect(response.status).toBe(204);
      const corsHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (name.startsWith('access-control-')) corsHeaders[name] = value;
      });
      expect(corsHeaders).toEqual({
        'access-control-allow-origin': 'http://127.0.0.1:9420',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'content-type,x-csrftoken',
        'access-control-max-age': '600',
      });
    });

    it.each([
      ['an unlisted origin', 'https://evil.example', 'POST', 'content-type'],
      ['an unlisted method', 'http://127.0.0.1:9420', 'DELETE', 'content-type'],
      ['an unlisted header', 'http://127.0.0.1:9420', 'POST', 'x-other'],
    ])('gives %s no CORS header', async (_, origin, method, headers) => {
      const response = await preflight(origin, method, headers);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it("puts the API's CORS headers on a listed origin's answer, replacing the function's own", async () => {
      const response = await fetch(`${base}/echo`, { headers: { origin: 'http://127.0.0.1:9420' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:9420');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('vary')).toBe('Origin');
    });

    it("drops the function's CORS headers for an unlisted origin and for a request without one", async () => {
      for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
        const response = await fetch(`${base}/echo`, { headers });
        expect(response.status).toBe(201);
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      }
    });
  });
});
