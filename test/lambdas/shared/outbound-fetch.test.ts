import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type OutboundRequest, OutboundRequestFailed, OutboundRequestRefused, outboundFetch } from '../../../lambdas/shared/outbound-fetch';

const mockLookup = jest.fn();
jest.mock('node:dns/promises', () => ({
  ...jest.requireActual('node:dns/promises'),
  lookup: (...args: unknown[]) => mockLookup(...args),
}));
const realLookup = jest.requireActual('node:dns/promises').lookup;

const DEPLOYED = { allowLoopback: false };
const LOCAL = { allowLoopback: true };
const LIMITS = { timeoutMs: 2000, maxResponseBytes: 1024 };

let server: Server;
let port: number;
let answer: (request: IncomingMessage, response: ServerResponse, body: string) => void;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => answer(request, response, body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  mockLookup.mockReset();
  mockLookup.mockImplementation(realLookup);
  answer = (_request, response) => response.writeHead(204).end();
});

const fetchFrom = (url: string, policy = LOCAL, request: Partial<OutboundRequest> = {}) =>
  outboundFetch({ url, ...LIMITS, ...request }, policy);

describe('outboundFetch: what it refuses before connecting', () => {
  test.each([
    'https://10.0.0.8/jwks',
    'https://172.20.1.1/',
    'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://[::ffff:10.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[fd00:ec2::254]/',
    'https://[fe80::1]/',
    'https://224.0.0.1/',
  ])('a special-use address when deployed: %s', async (url) => {
    await expect(fetchFrom(url, DEPLOYED)).rejects.toBeInstanceOf(OutboundRequestRefused);
  });

  test('a host name that resolves to a private address, whatever else it resolves to', async () => {
    mockLookup.mockResolvedValue([
      { address: '203.0.114.7', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ]);
    await expect(fetchFrom('https://jwks.partner.example/keys', DEPLOYED)).rejects.toThrow(/private or special-use/);
  });

  test('localhost when deployed', async () => {
    await expect(fetchFrom(`https://localhost:${port}/`, DEPLOYED)).rejects.toBeInstanceOf(OutboundRequestRefused);
  });

  test('plain http to anything but loopback, even where loopback is allowed', async () => {
    mockLookup.mockResolvedValue([{ address: '203.0.114.7', family: 4 }]);
    await expect(fetchFrom('http://partner.example/logout', LOCAL)).rejects.toThrow(/only https/);
    await expect(fetchFrom(`http://127.0.0.1:${port}/`, DEPLOYED)).rejects.toThrow(/only https/);
  });

  test('private addresses other than loopback where loopback is allowed', async () => {
    await expect(fetchFrom('https://192.168.0.10/', LOCAL)).rejects.toBeInstanceOf(OutboundRequestRefused);
  });

  test('user info and text that is no URL', async () => {
    await expect(fetchFrom(`http://user:secret@127.0.0.1:${port}/`)).rejects.toBeInstanceOf(OutboundRequestRefused);
    await expect(fetchFrom('not a url')).rejects.toBeInstanceOf(OutboundRequestRefused);
  });
});

describe('outboundFetch: the exchange', () => {
  test('sends the method, headers and body, and returns status, headers and body', async () => {
    answer = (request, response, body) =>
      response
        .writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' })
        .end(JSON.stringify({ method: request.method, type: request.headers['content-type'], body }));
    const response = await fetchFrom(`http://127.0.0.1:${port}/logout`, LOCAL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'logout_token=abc',
    });
    expect(response.status).toBe(200);
    expect(response.headers['retry-after']).toBe('3');
    expect(JSON.parse(response.body.toString())).toEqual({
      method: 'POST',
      type: 'application/x-www-form-urlencoded',
      body: 'logout_token=abc',
    });
  });

  test('connects to the address it checked, not to a second answer of the DNS', async () => {
    mockLookup.mockResolvedValueOnce([{ address: '127.0.0.1', family: 4 }]).mockRejectedValue(new Error('must not be asked again'));
    const response = await fetchFrom(`http://only-resolved-once.test:${port}/`);
    expect(response.status).toBe(204);
    expect(mockLookup).toHaveBeenCalledTimes(1);
  });

  test('returns a redirect as it is, without following it', async () => {
    answer = (_request, response) => response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    await expect(fetchFrom(`http://127.0.0.1:${port}/`)).resolves.toMatchObject({ status: 302 });
  });

  test('gives up at the time limit, saying it timed out', async () => {
    answer = () => undefined;
    const failure = await fetchFrom(`http://127.0.0.1:${port}/`, LOCAL, { timeoutMs: 150 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OutboundRequestFailed);
    expect((failure as OutboundRequestFailed).timedOut).toBe(true);
  });

  test('refuses an answer over the size limit', async () => {
    answer = (_request, response) => response.writeHead(200).end('x'.repeat(4096));
    const failure = await fetchFrom(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OutboundRequestFailed);
    expect((failure as OutboundRequestFailed).timedOut).toBe(false);
  });

  test('reports a refused connection as a failure worth retrying', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await expect(fetchFrom(`http://127.0.0.1:${closedPort}/`)).rejects.toBeInstanceOf(OutboundRequestFailed);
  });

  test('reports a name that does not resolve as a failure worth retrying', async () => {
    mockLookup.mockRejectedValue(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    await expect(fetchFrom('https://nowhere.invalid/', DEPLOYED)).rejects.toBeInstanceOf(OutboundRequestFailed);
  });
});
