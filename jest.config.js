// CommonJS mode: the CDK tests need __dirname; the ESM-only packages are transpiled by ts-jest instead.
const esmOnlyPackages = ['@middy/core', '@middy/util', 'jose', 'openid-client', 'oauth4webapi', 'oidc-provider'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  // middy 7 exports its modules under the `import` condition only, which jest's CommonJS resolver does not try.
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  testTimeout: 30000,
};
