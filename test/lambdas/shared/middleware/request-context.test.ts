import middy from '@middy/core';
import type { HttpEvent, HttpResult } from '../../../../lambdas/shared/http';
import { requestContext } from '../../../../lambdas/shared/middleware/request-context';
import { logger } from '../../../../lambdas/shared/observability';
import { httpEvent, lambdaContext } from '../../../support/api-event';

/** The JSON log lines the logger writes while `run` runs. */
async function logLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  logger.setLogLevel('INFO');
  try {
    await run().catch(() => undefined);
  } finally {
    logger.setLogLevel('SILENT');
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return written
    .flatMap((text) => text.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('requestContext', () => {
  const event = httpEvent({ method: 'POST', path: '/auth/session-exchange', headers: {} });

  test('tags the log lines of the invocation with the request id, the route and the function', async () => {
    const handler = middy<HttpEvent, HttpResult>()
      .use(requestContext())
      .handler(async () => {
        logger.info('inside');
        return { statusCode: 204 };
      });
    const [line] = await logLines(() => handler(event, lambdaContext));
    expect(line).toMatchObject({
      message: 'inside',
      correlation_id: 'request-1',
      route: 'POST /auth/session-exchange',
      function_name: 'guichet-test',
      function_request_id: 'invocation-1',
    });
  });

  test.each([
    ['a success', async () => ({ statusCode: 204 })],
    [
      'a failure',
      async (): Promise<HttpResult> => {
        throw new Error('boom');
      },
    ],
  ])('forgets the request after %s', async (_, body) => {
    const handler = middy<HttpEvent, HttpResult>().use(requestContext()).handler(body);
    const [line] = await logLines(async () => {
      await handler(event, lambdaContext).catch(() => undefined);
      logger.info('after');
    });
    expect(line).toMatchObject({ message: 'after' });
    expect(line).not.toHaveProperty('correlation_id');
    expect(line).not.toHaveProperty('route');
  });
});
