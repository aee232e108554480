import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Quiet, deterministic defaults for every test file; a test that checks logs or metrics turns them on.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// The development IdP's known notices (Node 20 runtime, in-memory adapter) say nothing about the test.
for (const level of ['warn', 'info'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
    original(...args);
  };
}

// Local mode keeps its signing keys outside the repository; tests keep theirs in a throw-away folder.
process.env.GUICHET_LOCAL_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'guichet-test-'));
