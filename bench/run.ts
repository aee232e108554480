import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { measureOidcProviderBaseline } from './baseline-oidc-provider';
import { measureBundles } from './bundles';
import { IDP_DISTANCE_MS, measureDistantIdpLogin, measureStartups } from './cold-init';
import { costModel, measuredFlows } from './cost-model';
import { measureTokenCpu } from './cpu';
import { buildFloors } from './floors';
import { measureGuichetRoutes } from './http-load';
import { type GuichetUnderTest, startGuichetUnderTest } from './local-guichet';
import { measureLogoutScale } from './logout-scale';
import { buildReport } from './report';

/**
 * `npm run bench`: measures guichet on this machine, on loopback only, prints one table and writes it to
 * bench/results.json. A missed budget is reported, not an error: the exit code is 0 unless the bench itself fails.
 */
const RESULTS_FILE = path.join(__dirname, 'results.json');
/** Far above a normal run (about four minutes on two cores): a hung step ends the bench instead of blocking. */
const WATCHDOG_MS = 12 * 60_000;

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg()[0];
  const workDirectory = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-'));
  const step = (what: string) => process.stderr.write(`bench: ${what}…\n`);
  let guichet: GuichetUnderTest | undefined;
  try {
    step('synthesizing the stack and starting it locally');
    guichet = await startGuichetUnderTest(path.join(workDirectory, 'state'));
    const bundles = await measureBundles(guichet.server.ready.functions);
    step('building the floors: bundles that only load and create the SDK clients');
    const floors = await buildFloors(
      path.join(workDirectory, 'floors'),
      bundles.map((bundle) => bundle.runtimeModules),
    );
    step('cold starts of every Lambda and of its floor, then the same request warm');
    const startups = await measureStartups(guichet, bundles, floors);
    step(`cold start of the login with the IdP ${IDP_DISTANCE_MS} ms away`);
    const distantIdpLogin = await measureDistantIdpLogin(guichet);
    step('load on the routes');
    const routes = await measureGuichetRoutes(guichet);
    step("oidc-provider's client credentials");
    const baseline = await measureOidcProviderBaseline();
    step('token endpoint CPU');
    const tokenCpu = await measureTokenCpu();
    step('back-channel logout with 10 and 10,000 sessions');
    const logout = await measureLogoutScale(guichet);
    const cost = costModel(measuredFlows(routes, logout));
    const durationSeconds = (performance.now() - started) / 1000;
    const measured = { bundles, startups, distantIdpLogin, routes, baseline, tokenCpu, logout, cost };
    const { text, json } = buildReport({ startedAt, loadAverageAtStart, durationSeconds, ...measured });
    process.stdout.write(`${text}\nWritten to ${path.relative(process.cwd(), RESULTS_FILE)}.\n`);
    await writeFile(RESULTS_FILE, `${JSON.stringify(json, null, 2)}\n`);
  } finally {
    await guichet?.close();
    await rm(workDirectory, { recursive: true, force: true });
  }
}

setTimeout(() => {
  process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} minutes, stopped\n`);
  process.exit(1);
}, WATCHDOG_MS).unref();

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
