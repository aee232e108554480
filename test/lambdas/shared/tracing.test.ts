import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { traced, tracingMiddleware } from '../../../lambdas/shared/tracing';

describe('tracing', () => {
  afterEach(() => jest.restoreAllMocks());

  it('instruments an AWS SDK client through the tracer and hands the same client back', () => {
    const capture = jest.spyOn(Tracer.prototype, 'captureAWSv3Client');
    const client = new DynamoDBClient({ region: 'eu-west-1' });
    expect(traced(client)).toBe(client);
    expect(capture).toHaveBeenCalledWith(client);
  });

  it('is a middy middleware for the whole invocation', () => {
    const middleware = tracingMiddleware();
    expect(typeof middleware.before).toBe('function');
    expect(typeof middleware.after).toBe('function');
    expect(typeof middleware.onError).toBe('function');
  });
});
