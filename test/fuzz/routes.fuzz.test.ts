import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { ROUTES, type RouteDefinition } from '../../lambdas/routes';
import { TABLE_NAMES, type TableName } from '../../lambdas/tables';
import { ADDIN_ORIGIN, ADDIN_SETTINGS } from '../support/addins';
import { httpEvent, lambdaContext } from '../support/api-event';
import { type Integration, startIntegration } from '../support/integration';

/**
 * Hostile input on every route: random methods, headers, content types, bodies, query strings, cookies and
 * oversized values. Whatever comes in: never a 5xx, every error in the contract's shape, nothing written
 * on a refusal, and no planted secret echoed back.
 */
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Refusals spend a client's failure budget by design: that table is the one a refusal may write. */
const WRITABLE_ON_REFUSAL: readonly TableName[] = ['rateLimits'];
const PLANTED_SECRET = 'Zq9PlantedSecretValue_do_not_echo_1234567890a';
const RUNS_PER_ROUTE = 25;

let integration: Integration;
const handlers = new Map<string, Handler>();

beforeAll(async () => {
  integration = await startIntegration({
    ADDONS_RATE_LIMIT: '100000',
    TOKEN_FAILURE_LIMIT: '100000',
    SESSION_EXCHANGE_FAILURE_LIMIT: '100000',
    ...ADDIN_SETTINGS,
  });
  for (const route of ROUTES) {
    const module = (await import(path.join('../..', route.entry))) as { handler: Handler };
    handlers.set(route.id, module.handler);
  }
}, 60_000);
afterAll(() => integration?.guichet.close());

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    PLANTED_SECRET,
    'A'.repeat(43),
    'null',
    '{}',
    '[]',
    '%',
    '%00',
    '../..',
    '<script>',
    '\u0000',
    'visio://x',
    'javascript:alert(1)',
  ),
  fc.string({ minLength: 20_000, maxLength: 20_000 }).map((s) => s.slice(0, 1) + 'x'.repeat(20_000)),
);
const name = fc.constantFrom(
  'code',
  'state',
  'code_verifier',
  'returnTo',
  'logout_token',
  'transit_token',
  'grant_type',
  'client_id',
  'client_secret',
  'scope',
  'subject',
  'wait',
  'code_challenge',
  'code_challenge_method',
  'addin_name',
  'continuation',
  'x',
);
const pairs = fc.array(fc.tuple(name, text), { maxLength: 5 });
const encode = (entries: [string, string][]) => entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  query: fc.oneof(pairs.map(encode), fc.string({ maxLength: 60 })),
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-8',
  ),
  body: fc.oneof(
    fc.constant(undefined),
    pairs.map(encode),
    pairs.map((entries) => JSON.stringify(Object.fromEntries(entries))),
    fc.json(),
    text,
  ),
  base64: fc.boolean(),
  cookies: fc.array(
    fc
      .tuple(fc.constantFrom('guichet_session', 'guichet_login_state', 'guichet_addons_sid', 'guichet_native_continuation', 'other'), text)
      .map(([k, v]) => `${k}=${v}`),
    { maxLength: 3 },
  ),
  authorization: fc.option(
    fc.oneof(
      text.map((v) => `Bearer ${v}`),
      text.map((v) => `Basic ${Buffer.from(v).toString('base64')}`),
      text,
    ),
    { nil: undefined },
  ),
  csrf: fc.option(text, { nil: undefined }),
  completion: fc.option(text, { nil: undefined }),
  // A listed origin gets past the add-in init's guard, to its body and budget.
  origin: fc.option(fc.constantFrom(ADDIN_ORIGIN, 'https://evil.example', 'null'), { nil: undefined }),
});

async function snapshot(): Promise<Record<string, string>> {
  const tables = TABLE_NAMES.filter((table) => !WRITABLE_ON_REFUSAL.includes(table));
  const contents = await Promise.all(tables.map((table) => integration.store.all(table)));
  return Object.fromEntries(tables.map((table, i) => [table, JSON.stringify(contents[i].map((item) => item.id).sort())]));
}

describe.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
  '%s under random input',
  (_, route: RouteDefinition) => {
    it('never answers 5xx, answers errors in the contract shape, writes nothing when it refuses, echoes no secret', async () => {
      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          const headers: Record<string, string> = {};
          if (input.contentType) headers['content-type'] = input.contentType;
          if (input.authorization !== undefined) headers.authorization = input.authorization;
          if (input.csrf !== undefined) headers['x-csrftoken'] = input.csrf;
          if (input.completion !== undefined) headers['x-guichet-completion'] = input.completion;
          if (input.origin !== undefined) headers.origin = input.origin;
          const event = httpEvent({
            method: input.method,
            path: route.path,
            query: input.query,
            headers,
            cookies: input.cookies.length ? input.cookies : undefined,
            body: input.body === undefined ? undefined : input.base64 ? Buffer.from(input.body).toString('base64') : input.body,
            isBase64Encoded: input.body !== undefined && input.base64,
          });
          const before = await snapshot();
          const result = (await handlers.get(route.id)!(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;

          expect(result.statusCode).toBeLessThan(500);
          expect(result.body ?? '').not.toContain(PLANTED_SECRET);
          expect(result.headers?.Location ?? '').not.toContain(PLANTED_SECRET);
          if (result.statusCode! >= 400) {
            expect(JSON.parse(result.body!)).toEqual({ error: expect.stringMatching(/^[a-z_]+$/), error_description: expect.any(String) });
            expect(await snapshot()).toEqual(before);
          }
        }),
        { numRuns: RUNS_PER_ROUTE, seed: 20261123 },
      );
    }, 120_000);
  },
);
