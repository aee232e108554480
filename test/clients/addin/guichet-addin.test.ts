import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The add-in client is a plain browser module with JSDoc types and no build step: its types are only worth
 * something if they are checked. Its behaviour is tested in Chromium (test/e2e/browser/addin-client.test.ts).
 */
const ROOT = path.join(__dirname, '..', '..', '..');

describe('clients/addin/guichet-addin.js', () => {
  it('type-checks under strict TypeScript, with the browser library only', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'clients', 'addin')], { encoding: 'utf8' });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  }, 60_000);
});
