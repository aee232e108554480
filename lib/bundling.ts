import path from 'node:path';

const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** Memory of every guichet Lambda: RSA signing and JSON work are CPU-bound, and CPU grows with memory. */
export const LAMBDA_MEMORY_MB = 512;

/**
 * How every Lambda is bundled, in one place for the stack (GuichetFunction) and the benchmark: minified
 * CommonJS for the newest Node.js runtime, source maps beside the code, the AWS SDK bundled and
 * tree-shaken (`module` before `main`), and the SDK's default credential chain replaced by the
 * environment provider, which is all a Lambda uses.
 */
export const LAMBDA_BUNDLING = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  alias: {
    '@aws-sdk/credential-provider-node': path.join(REPOSITORY_ROOT, 'lambdas/shared/lambda-credentials.ts'),
  },
} as const;
