import { synthesizeStack } from '../local/synth';
import { chromiumExecutable } from './support/chromium';

/**
 * Once, before the test files run in parallel: unpacks the test browser (they would race to unpack it), and
 * bundles the Lambdas of the stack (every end-to-end test synthesizes the stack with its own settings; the
 * bundles, shared between syntheses, are then made once rather than by each test file at the same time).
 */
export default async function globalSetup(): Promise<void> {
  process.env.CHROMIUM_PATH = chromiumExecutable();
  await synthesizeStack({ oidcIssuer: 'https://idp.example.com', oidcClientId: 'bundles' });
}
