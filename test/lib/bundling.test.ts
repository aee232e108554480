import { existsSync } from 'node:fs';
import { LAMBDA_BUNDLING } from '../../lib/bundling';
import { defaultProvider } from '../../lambdas/shared/lambda-credentials';

describe('Lambda bundling', () => {
  it('replaces the default credential chain with a module that exists', () => {
    for (const replacement of Object.values(LAMBDA_BUNDLING.alias)) expect(existsSync(replacement)).toBe(true);
  });

  it("reads the credentials Lambda puts in the environment, as the default chain's first provider would", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' });
    try {
      await expect(defaultProvider()()).resolves.toMatchObject({
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'session',
      });
    } finally {
      process.env = saved;
    }
  });

  it('targets the runtime the functions use', () => {
    expect(LAMBDA_BUNDLING.target).toBe('node24');
  });
});
