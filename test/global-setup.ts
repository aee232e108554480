import { chromiumExecutable } from './support/chromium';

/** Unpacks the test browser once, before the test files run in parallel and would race to unpack it. */
export default function globalSetup(): void {
  process.env.CHROMIUM_PATH = chromiumExecutable();
}
