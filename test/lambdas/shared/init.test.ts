import { PREPARATIONS_KEY, prepareAtInit } from '../../../lambdas/shared/init';

const registry = globalThis as unknown as Record<symbol, Promise<unknown>[] | undefined>;
const key = Symbol.for(PREPARATIONS_KEY);

describe('prepareAtInit', () => {
  afterEach(() => delete registry[key]);

  it('starts the work at once in a Lambda environment and gathers it for the entry to await', async () => {
    const work = jest.fn(async () => 'ready');
    prepareAtInit(work, { AWS_LAMBDA_FUNCTION_NAME: 'guichet-Jwks' });
    expect(work).toHaveBeenCalledTimes(1);
    expect(registry[key]).toHaveLength(1);
    await expect(Promise.all(registry[key]!)).resolves.toEqual(['ready']);
  });

  it('drops a failure, which the request that needs the work meets again', async () => {
    prepareAtInit(() => Promise.reject(new Error('secret unreachable')), { AWS_LAMBDA_FUNCTION_NAME: 'guichet-Jwks' });
    await expect(Promise.all(registry[key]!)).resolves.toEqual([undefined]);
  });

  it('does nothing outside Lambda (an in-process test imports the handlers)', () => {
    const work = jest.fn(async () => undefined);
    prepareAtInit(work, {});
    expect(work).not.toHaveBeenCalled();
    expect(registry[key]).toBeUndefined();
  });
});
