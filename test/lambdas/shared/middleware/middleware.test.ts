import { withMiddleware, type Middleware } from '../../../../lambdas/shared/middleware/middleware';
import { httpEvent, lambdaContext } from '../../../support/api-event';

/** A step that writes down when each of its phases ran. */
function recording(name: string, steps: string[], overrides: Partial<Middleware> = {}): Middleware {
  return {
    before: () => void steps.push(`${name} before`),
    after: () => void steps.push(`${name} after`),
    onError: () => void steps.push(`${name} onError`),
    ...overrides,
  };
}

describe('withMiddleware', () => {
  it('runs `before` in the order of the chain, the handler, then `after` in reverse', async () => {
    const steps: string[] = [];
    const handler = withMiddleware([recording('a', steps), recording('b', steps)], async () => {
      steps.push('handler');
      return { statusCode: 204 };
    });
    await expect(handler(httpEvent(), lambdaContext)).resolves.toEqual({ statusCode: 204 });
    expect(steps).toEqual(['a before', 'b before', 'handler', 'b after', 'a after']);
  });

  it('sends a failure of a step through every `onError`, in reverse, and answers what they set', async () => {
    const steps: string[] = [];
    const failing = recording('b', steps, {
      before: () => {
        throw new Error('refused');
      },
    });
    const answering = recording('a', steps, {
      onError: (request) => {
        steps.push(`a onError: ${(request.error as Error).message}`);
        request.response = { statusCode: 400 };
      },
    });
    const handler = withMiddleware([answering, failing], async () => ({ statusCode: 200 }));
    await expect(handler(httpEvent(), lambdaContext)).resolves.toEqual({ statusCode: 400 });
    expect(steps).toEqual(['a before', 'b onError', 'a onError: refused']);
  });

  it('lets an unanswered failure of the handler reach the runtime', async () => {
    const handler = withMiddleware([recording('a', [])], async () => {
      throw new Error('boom');
    });
    await expect(handler(httpEvent(), lambdaContext)).rejects.toThrow('boom');
  });
});
