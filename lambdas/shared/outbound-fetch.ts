import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Requests to URLs that someone other than guichet's code chose (a product's back-channel logout endpoint, an
 * application's `jwks_uri`), with the SSRF guard they need: https only, never to an address inside the
 * network guichet runs in (private, link-local — the instance metadata service —, loopback, or any other
 * special-use range), with the checked address itself connected to, so that a second DNS answer cannot
 * swap it between the check and the connection. Redirects are not followed.
 */
export interface OutboundRequest {
  /** https; http only to a loopback host, and only where loopback is allowed. */
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole exchange, from the DNS lookup to the last byte. */
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Local mode and its tests serve such endpoints on loopback; a deployed stack never allows it. */
export interface OutboundPolicy {
  readonly allowLoopback: boolean;
}

/** The URL, or an address its host resolves to, is not one guichet may call: retrying cannot help. */
export class OutboundRequestRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRequestRefused';
  }
}

/** No answer could be had (DNS, connection, timeout, an answer over the size limit): worth a retry. */
export class OutboundRequestFailed extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'OutboundRequestFailed';
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** IANA's special-purpose registries (RFC 6890 and successors), plus multicast and reserved space. */
const SPECIAL_USE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  SPECIAL_USE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  SPECIAL_USE.addSubnet(network, prefix, 'ipv6');

interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it is. */
function unmapped(address: string): ResolvedAddress {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 4 };
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

function isLoopback({ address, family }: ResolvedAddress): boolean {
  return LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function isSpecialUse({ address, family }: ResolvedAddress): boolean {
  return SPECIAL_USE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function parsedUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new OutboundRequestRefused('not an absolute URL');
  }
}

async function resolvedAddresses(hostname: string): Promise<ResolvedAddress[]> {
  const literal = hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal)) return [unmapped(literal)];
  try {
    return (await lookup(hostname, { all: true, verbatim: true })).map(({ address }) => unmapped(address));
  } catch (error) {
    throw new OutboundRequestFailed(`cannot resolve ${hostname} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The one address to connect to, once every address of the host has been found acceptable. */
async function checkedAddress(url: URL, policy: OutboundPolicy): Promise<ResolvedAddress> {
  const addresses = await resolvedAddresses(url.hostname);
  const allLoopback = addresses.every(isLoopback);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback && allLoopback)) {
    throw new OutboundRequestRefused('only https URLs may be called');
  }
  for (const address of addresses) {
    if (isSpecialUse(address) && !(policy.allowLoopback && isLoopback(address))) {
      throw new OutboundRequestRefused(`${url.hostname} resolves to a private or special-use address`);
    }
  }
  return addresses[0];
}

function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as (error: null, addresses: ResolvedAddress[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function headersOf(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export async function outboundFetch(request: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  const url = parsedUrl(request.url);
  if (url.username || url.password) throw new OutboundRequestRefused('URLs with user info are not called');
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const address = await checkedAddress(url, policy);
  if (deadline.aborted) throw new OutboundRequestFailed(`no answer within ${request.timeoutMs} ms`, true);

  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const outgoing = send(url, {
      method: request.method ?? 'GET',
      headers: { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': Buffer.byteLength(request.body) }) },
      lookup: pinnedLookup(address),
      signal: deadline,
      agent: false,
    });
    outgoing.on('error', (error) => {
      reject(
        deadline.aborted
          ? new OutboundRequestFailed(`no answer within ${request.timeoutMs} ms`, true)
          : new OutboundRequestFailed(`request failed (${(error as NodeJS.ErrnoException).code ?? error.message})`),
      );
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxResponseBytes) {
          response.destroy();
          reject(new OutboundRequestFailed(`answer larger than ${request.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', () => undefined);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: headersOf(response), body: Buffer.concat(chunks) }));
    });
    outgoing.end(request.body);
  });
}
