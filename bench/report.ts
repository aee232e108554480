import os from 'node:os';
import type { BaselineMeasurement } from './baseline-oidc-provider';
import type { Bundle } from './bundles';
import { COLD_INIT_RUNS, type ColdInit } from './cold-init';
import type { CostModel, FlowCost } from './cost-model';
import type { TokenCpu } from './cpu';
import { describeOperations } from './dynamodb-operations';
import { JWKS_ROUTE, SESSION_ROUTE, TOKEN_ROUTE, type LoadRun, type RouteMeasurement } from './http-load';
import type { LogoutScale } from './logout-scale';

export interface BenchResults {
  readonly startedAt: string;
  /** One-minute load average when the bench started: other work on the machine makes every figure noisier. */
  readonly loadAverageAtStart: number;
  readonly durationSeconds: number;
  readonly bundles: readonly Bundle[];
  readonly coldInit: readonly ColdInit[];
  readonly routes: readonly RouteMeasurement[];
  readonly baseline: BaselineMeasurement;
  readonly tokenCpu: TokenCpu;
  readonly logout: LogoutScale;
  readonly cost: CostModel;
}

/** The budgets of issue 8. Sizes in kB of 1,000 bytes. */
const BUDGETS = {
  bundleBytes: 250_000,
  coldInitMs: 100,
  tokenThroughputRatio: 1,
  logoutRatio: 1.5,
  machineToMachineCostPerMillion: 3,
} as const;

export interface BudgetVerdict {
  readonly budget: string;
  readonly pass: boolean;
  readonly detail: string;
}

interface Row {
  readonly subject: string;
  readonly measured: string;
  readonly budget?: string;
  readonly pass?: boolean;
  /** Why a budget is missed and what would fix it. */
  readonly note?: string;
}

interface Section {
  readonly title: string;
  readonly rows: readonly Row[];
}

/** Packages listed per bundle in the JSON, largest first. */
const JSON_PACKAGES = 10;

/** The one table `npm run bench` prints, and the JSON it writes. */
export function buildReport(results: BenchResults): { readonly text: string; readonly json: unknown } {
  const tokenRoute = routeNamed(results.routes, TOKEN_ROUTE);
  const sections = [
    bundleSection(results.bundles),
    coldInitSection(results.coldInit),
    routesSection(results.routes),
    baselineSection(results, tokenRoute),
    cpuSection(results.tokenCpu),
    logoutSection(results.logout),
    costSection(results.cost),
  ];
  const verdicts = budgetVerdicts(results, tokenRoute);
  const machine = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadAverageAtStart: results.loadAverageAtStart,
  };
  const heading =
    `guichet bench — ${results.startedAt} — Node ${machine.node} on ${machine.cores} × ${machine.cpu}, ` +
    `load average ${machine.loadAverageAtStart.toFixed(1)} at start — ${results.durationSeconds.toFixed(0)} s`;
  const summary = verdicts.map((verdict) => `${verdict.pass ? 'pass' : 'FAIL'}  ${verdict.budget}: ${verdict.detail}`);
  const text = [heading, '', renderTable(sections), '', 'Budgets:', ...summary.map((line) => `  ${line}`), ''].join('\n');
  const { bundles, loadAverageAtStart: _, ...measurements } = results;
  const json = {
    ...measurements,
    machine,
    bundles: bundles.map(({ lambda, bytes, packages }) => ({
      lambda: lambda.id,
      entry: lambda.entry,
      bytes,
      largestPackages: packages.slice(0, JSON_PACKAGES),
    })),
    budgets: verdicts,
  };
  return { text, json };
}

function bundleSection(bundles: readonly Bundle[]): Section {
  return {
    title: 'Lambda bundles: minified JavaScript as the stack builds it, source map excluded',
    rows: bundles.map((bundle) => {
      const pass = bundle.bytes <= BUDGETS.bundleBytes;
      return {
        subject: bundle.lambda.id,
        measured: kB(bundle.bytes),
        budget: `≤ ${BUDGETS.bundleBytes / 1000} kB`,
        pass,
        note: pass ? undefined : bundleNote(bundle),
      };
    }),
  };
}

function bundleNote(bundle: Bundle): string {
  const packages = bundle.packages.filter((share) => share.name !== '(guichet)');
  const largest = packages.slice(0, 3).map((share) => `${share.name} ${kB(share.bytes)}`);
  const sdk = packages.filter((share) => /^@(aws-sdk|smithy)\//.test(share.name)).reduce((sum, share) => sum + share.bytes, 0);
  const xray = packages.find((share) => share.name === 'aws-xray-sdk-core')?.bytes ?? 0;
  const fixes = [
    sdk > 0 && `the Lambda runtime's AWS SDK v3 (external @aws-sdk/*, @smithy/*) → ${kB(bundle.bytes - sdk)}`,
    sdk > 0 && xray > 0 && `and without Powertools Tracer's X-Ray SDK → ${kB(bundle.bytes - sdk - xray)}`,
  ].filter(Boolean);
  return `largest packages ${largest.join(', ')}. Fix: ${fixes.join(', ') || 'fewer or lighter dependencies'}.`;
}

function coldInitSection(coldInit: readonly ColdInit[]): Section {
  return {
    title: `Lambda cold init: fresh Node process, load the bundle + handle one request (median of ${COLD_INIT_RUNS}, source maps on as deployed)`,
    rows: coldInit.map((lambda) => {
      const { loadMs, firstRequestMs, totalMs } = lambda.median;
      const pass = totalMs <= BUDGETS.coldInitMs;
      return {
        subject: `${lambda.lambda}${lambda.statusCode === undefined ? '' : ` (→ ${lambda.statusCode})`}`,
        measured: `${ms(totalMs)} = load ${ms(loadMs)} + 1st request ${ms(firstRequestMs)}`,
        budget: `≤ ${BUDGETS.coldInitMs} ms`,
        pass,
        note: pass ? undefined : coldInitNote(lambda),
      };
    }),
  };
}

function coldInitNote(lambda: ColdInit): string {
  const { loadMs, firstRequestMs } = lambda.median;
  return (
    `load ${ms(loadMs)} (parsing the bundle: it shrinks with the bundle, see its size) + 1st request ` +
    `${ms(firstRequestMs)} (SDK clients, keys, IdP discovery set up on first use, once per container).`
  );
}

function routesSection(routes: readonly RouteMeasurement[]): Section {
  return {
    title: 'Local server on 127.0.0.1 (local API Gateway + handlers + dynalite in one process; the load from another)',
    rows: routes.flatMap((route) => [...loadRows(route.target, route), { subject: '', measured: `DynamoDB: ${describeOperations(route.operations)}` }]),
  };
}

function loadRows(subject: string, measurement: { readonly serial: LoadRun; readonly concurrent: LoadRun }): Row[] {
  return [
    { subject, measured: loadLine(measurement.serial) },
    { subject: '', measured: loadLine(measurement.concurrent) },
  ];
}

function loadLine(run: LoadRun): string {
  const errors = run.errors > 0 ? ` · ${run.errors} ERRORS` : '';
  return `${run.connections} conn: p50 ${ms(run.p50Ms)} · p99 ${ms(run.p99Ms)} · ${count(run.requestsPerSecond)} req/s${errors}`;
}

function baselineSection(results: BenchResults, tokenRoute: RouteMeasurement): Section {
  const ratio = throughputRatio(tokenRoute, results.baseline);
  const pass = ratio >= BUDGETS.tokenThroughputRatio;
  return {
    title: "Client credentials: guichet's token endpoint next to oidc-provider's, same run, same machine",
    rows: [
      ...loadRows(`guichet ${TOKEN_ROUTE}, ${tokenRoute.accessTokenFormat ?? 'no token'}`, tokenRoute),
      ...loadRows(`${results.baseline.target}, ${results.baseline.accessTokenFormat}`, results.baseline),
      {
        subject: 'guichet / oidc-provider, 8 conn',
        measured: `${ratio.toFixed(2)}× (${count(tokenRoute.concurrent.requestsPerSecond)} / ${count(results.baseline.concurrent.requestsPerSecond)} req/s)`,
        budget: `≥ ${BUDGETS.tokenThroughputRatio}×`,
        pass,
        note: pass ? undefined : throughputNote(results),
      },
    ],
  };
}

function throughputNote(results: BenchResults): string {
  const session = routeNamed(results.routes, SESSION_ROUTE).concurrent.requestsPerSecond;
  const jwks = routeNamed(results.routes, JWKS_ROUTE).concurrent.requestsPerSecond;
  const perGetItemMs = 1000 / session - 1000 / jwks;
  const tokenOperations = describeOperations(routeNamed(results.routes, TOKEN_ROUTE).operations);
  const handlerCpuMs = results.tokenCpu.handler.cpuMs;
  return (
    `guichet's process also runs dynalite, the DynamoDB emulator, on the same thread: ≈${ms(perGetItemMs)} of it per GetItem ` +
    `(${SESSION_ROUTE}, 1 GetItem: ${count(session)} req/s; ${JWKS_ROUTE}, none: ${count(jwks)} req/s), and a token costs ${tokenOperations}, ` +
    `while oidc-provider keeps its client in memory. Storage excluded, the token handler needs ${ms(handlerCpuMs)} of CPU, ` +
    `${ms(results.tokenCpu.mint.cpuMs)} of it minting the RS256 JWT. Fix: compare with the store in its own process ` +
    `(local/start.ts cannot use an external DynamoDB endpoint yet; on AWS that work is DynamoDB's, not the Lambda's); ` +
    `then the handler's own CPU decides.`
  );
}

function cpuSection(cpu: TokenCpu): Section {
  const line = (what: string, cost: { cpuMs: number; wallMs: number }) => ({
    subject: what,
    measured: `${ms(cost.cpuMs)} CPU per token (${ms(cost.wallMs)} wall), mean of ${cpu.iterations}`,
  });
  return {
    title: 'Token endpoint CPU with storage excluded (in-memory application and signing key, RS256, process.cpuUsage)',
    rows: [
      line('mint alone (jose SignJWT, RS256 2048)', cpu.mint),
      line('authenticate + grant + mint (domain functions)', cpu.domain),
      line('whole handler (middleware, logs, metrics)', cpu.handler),
    ],
  };
}

function logoutSection(logout: LogoutScale): Section {
  const run = (scale: LogoutScale['few']): Row[] => [
    { subject: `${count(scale.otherSessions)} other sessions`, measured: `p50 ${ms(scale.p50Ms)} · p90 ${ms(scale.p90Ms)} over ${scale.deliveries}` },
    { subject: '', measured: `DynamoDB: ${describeOperations(scale.operations)}` },
  ];
  const pass = logout.ratio <= BUDGETS.logoutRatio;
  return {
    title: 'Back-channel logout on the local server (a fresh logout token by sub, ending 2 sessions)',
    rows: [
      ...run(logout.few),
      ...run(logout.many),
      {
        subject: 'p50 ratio 10,000 / 10',
        measured: `${logout.ratio.toFixed(2)}×`,
        budget: `≤ ${BUDGETS.logoutRatio}×`,
        pass,
        note: pass ? undefined : logoutNote(logout),
      },
    ],
  };
}

function logoutNote(logout: LogoutScale): string {
  const few = describeOperations(logout.few.operations);
  const many = describeOperations(logout.many.operations);
  return few === many
    ? `the DynamoDB operations are the same (${few}): the time grew in dynalite's index, not in the work asked; rerun to rule out noise.`
    : `the operations grow with the table (${few} → ${many}): sessions must be found through the sid/sub indexes only.`;
}

function costSection(cost: CostModel): Section {
  const token = cost.flows.find((flow) => flow.flow === TOKEN_ROUTE);
  const cognito = cost.cognitoMachineToMachine;
  return {
    title: `AWS price per million requests (prices of ${cost.pricesAsOf}, ${cost.region}; ${cost.memoryMb} MB arm64; duration = local p50 at 1 conn)`,
    rows: [
      ...cost.flows.map((flow): Row => {
        if (flow !== token) return { subject: flow.flow, measured: costLine(flow) };
        const pass = flow.total <= BUDGETS.machineToMachineCostPerMillion;
        return {
          subject: `${flow.flow} (machine to machine)`,
          measured: costLine(flow),
          budget: `≤ ${dollars(BUDGETS.machineToMachineCostPerMillion)}`,
          pass,
          note: pass ? undefined : `the HTTP API's ${dollars(flow.httpApi)} and Lambda's ${dollars(flow.lambdaRequests)} per million are fixed; the rest is duration and DynamoDB.`,
        };
      }),
      {
        subject: 'Amazon Cognito machine-to-machine tokens',
        measured:
          `${dollars(cognito.perMillionTokens)} + ${dollars(cognito.perAppClientPerMonth)} per app client per month` +
          (token ? ` (${count(cognito.perMillionTokens / token.total)}× guichet's)` : ''),
      },
    ],
  };
}

function costLine(flow: FlowCost): string {
  const units = [flow.readUnits && `${flow.readUnits} RRU`, flow.writeUnits && `${flow.writeUnits} WRU`].filter(Boolean).join(' + ') || 'none';
  return (
    `${dollars(flow.total)} = Lambda ${dollars(flow.lambdaRequests)} + ${flow.billedMs} ms ${dollars(flow.lambdaDuration)} ` +
    `+ HTTP API ${dollars(flow.httpApi)} + DynamoDB ${dollars(flow.dynamoDb)} (${units})`
  );
}

function budgetVerdicts(results: BenchResults, tokenRoute: RouteMeasurement): BudgetVerdict[] {
  const bigBundles = results.bundles.filter((bundle) => bundle.bytes > BUDGETS.bundleBytes);
  const slowInits = results.coldInit.filter((lambda) => lambda.median.totalMs > BUDGETS.coldInitMs);
  const ratio = throughputRatio(tokenRoute, results.baseline);
  const token = results.cost.flows.find((flow) => flow.flow === TOKEN_ROUTE)!;
  const largest = Math.max(...results.bundles.map((bundle) => bundle.bytes));
  const slowest = Math.max(...results.coldInit.map((lambda) => lambda.median.totalMs));
  return [
    {
      budget: `every Lambda bundle ≤ ${BUDGETS.bundleBytes / 1000} kB minified`,
      pass: bigBundles.length === 0,
      detail: `${bigBundles.length} of ${results.bundles.length} over, largest ${kB(largest)}`,
    },
    {
      budget: `cold init ≤ ${BUDGETS.coldInitMs} ms locally`,
      pass: slowInits.length === 0,
      detail: `${slowInits.length} of ${results.coldInit.length} over, slowest ${ms(slowest)}`,
    },
    {
      budget: "token endpoint throughput ≥ oidc-provider's",
      pass: ratio >= BUDGETS.tokenThroughputRatio,
      detail: `${ratio.toFixed(2)}×`,
    },
    { budget: `back-channel logout ratio ≤ ${BUDGETS.logoutRatio}`, pass: results.logout.ratio <= BUDGETS.logoutRatio, detail: `${results.logout.ratio.toFixed(2)}×` },
    {
      budget: `machine-to-machine cost ≤ ${dollars(BUDGETS.machineToMachineCostPerMillion)} per million tokens`,
      pass: token.total <= BUDGETS.machineToMachineCostPerMillion,
      detail: `${dollars(token.total)}`,
    },
  ];
}

function throughputRatio(tokenRoute: RouteMeasurement, baseline: BaselineMeasurement): number {
  return tokenRoute.concurrent.requestsPerSecond / baseline.concurrent.requestsPerSecond;
}

function routeNamed(routes: readonly RouteMeasurement[], name: string): RouteMeasurement {
  const route = routes.find((candidate) => candidate.target === name);
  if (!route) throw new Error(`no measurement of ${name}`);
  return route;
}

function renderTable(sections: readonly Section[]): string {
  const rows = sections.flatMap((section) => section.rows);
  const header: Row = { subject: 'subject', measured: 'measured', budget: 'budget' };
  const widths = {
    subject: Math.max(...[header, ...rows].map((row) => row.subject.length)),
    measured: Math.max(...[header, ...rows].map((row) => row.measured.length)),
    budget: Math.max(...[header, ...rows].map((row) => (row.budget ?? '').length)),
  };
  const line = (row: Row, result: string) =>
    [row.subject.padEnd(widths.subject), row.measured.padEnd(widths.measured), (row.budget ?? '').padEnd(widths.budget), result].join('  ').trimEnd();
  const total = widths.subject + widths.measured + widths.budget + 12;
  const out = [line(header, 'result'), '═'.repeat(total)];
  for (const section of sections) {
    out.push(`── ${section.title} ${'─'.repeat(Math.max(3, total - section.title.length - 4))}`);
    for (const row of section.rows) {
      out.push(line(row, row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL'));
      if (row.note) out.push(...wrap(row.note, total - 11).map((text, i) => `    ${i === 0 ? '↳ why: ' : '       '}${text}`));
    }
  }
  return out.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const dollars = (value: number) => `$${value < 0.1 && value > 0 ? value.toFixed(4) : value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
