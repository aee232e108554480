import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Product backends' back-channel logout endpoints, on one loopback server: each path answers as its script says,
 * one answer per request (the last one repeats), and keeps every logout token it was sent, in order.
 */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer only after this long (a slow or hanging endpoint). */
  readonly delayMs?: number;
}

export interface ReceivedLogout {
  readonly token: string;
  /** What the endpoint answered it. */
  readonly status: number;
}

export interface LogoutReceivers {
  readonly origin: string;
  script(path: string, answers: readonly (number | ScriptedAnswer)[]): void;
  received(path: string): readonly ReceivedLogout[];
  /** Resolves once `path` has received `count` logout tokens; fails after `timeoutMs`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<readonly ReceivedLogout[]>;
  close(): Promise<void>;
}

export async function startLogoutReceivers(): Promise<LogoutReceivers> {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const received = new Map<string, ReceivedLogout[]>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const script = scripts.get(path) ?? [{ status: 404 }];
      const answer = script.length > 1 ? script.shift()! : script[0];
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      if (!received.has(path)) received.set(path, []);
      received.get(path)!.push({ token, status: answer.status });
      setTimeout(() => response.writeHead(answer.status, answer.headers).end(), answer.delayMs ?? 0).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const receivedAt = (path: string) => received.get(path) ?? [];
  return {
    origin,
    script: (path, answers) =>
      scripts.set(
        path,
        answers.map((answer) => (typeof answer === 'number' ? { status: answer } : answer)),
      ),
    received: receivedAt,
    waitFor: async (path, count, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (receivedAt(path).length < count) {
        if (Date.now() > deadline)
          throw new Error(`${path} received ${receivedAt(path).length} logout tokens in ${timeoutMs} ms, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return receivedAt(path);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
