import { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricName } from '../../../lambdas/shared/metric-names';
import { countMetric } from '../../../lambdas/shared/observability';

describe('countMetric', () => {
  afterEach(() => jest.restoreAllMocks());

  test('counts one under the metric name, per flow and as a service-wide total', () => {
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    countMetric(MetricName.LoginStarted, { flow: 'native' });
    expect(addDimensions.mock.calls).toEqual([[{}], [{ flow: 'native' }]]);
    expect(addMetric).toHaveBeenCalledTimes(1);
    expect(addMetric).toHaveBeenCalledWith('LoginStarted', 'Count', 1);
  });

  test('carries the reason dimension of a rejection', () => {
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    countMetric(MetricName.ExchangeCodeRejected, { reason: 'wrong_verifier' });
    expect(addDimensions).toHaveBeenCalledWith({ reason: 'wrong_verifier' });
    expect(addMetric).toHaveBeenCalledWith('ExchangeCodeRejected', 'Count', 1);
  });

  test('adds no dimension set when none is given', () => {
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    countMetric(MetricName.SessionEnded, {}, 3);
    expect(addDimensions).not.toHaveBeenCalled();
    expect(addMetric).toHaveBeenCalledWith('SessionEnded', 'Count', 3);
  });

  test('emits each count as its own record', () => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    countMetric(MetricName.LoginSucceeded, { flow: 'web' });
    countMetric(MetricName.LoginFailed, { flow: 'addin' });
    const [first, second] = addMetric.mock.contexts as Metrics[];
    expect(first).toBeInstanceOf(Metrics);
    expect(second).toBeInstanceOf(Metrics);
    expect(first).not.toBe(second);
  });

  describe('with metrics enabled', () => {
    const saved = process.env.POWERTOOLS_METRICS_DISABLED;
    afterEach(() => {
      if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = saved;
    });

    test('writes an EMF record in the Guichet namespace, by service and by service and flow', () => {
      process.env.POWERTOOLS_METRICS_DISABLED = 'false';
      const written: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      countMetric(MetricName.LoginStarted, { flow: 'web' });
      const records = written.map((line) => JSON.parse(line));
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        _aws: {
          CloudWatchMetrics: [
            {
              Namespace: 'Guichet',
              Dimensions: [['service'], ['service', 'flow']],
              Metrics: [{ Name: 'LoginStarted', Unit: 'Count' }],
            },
          ],
        },
        service: 'guichet',
        flow: 'web',
        LoginStarted: 1,
      });
    });
    test('publishes each dimension set of a list apart, in one record: per audience and per flow', () => {
      process.env.POWERTOOLS_METRICS_DISABLED = 'false';
      const written: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      countMetric(MetricName.UserTokenIssued, [{ audience: 'https://api.product.example' }, { flow: 'native' }]);
      const records = written.map((line) => JSON.parse(line));
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Dimensions: [['service'], ['service', 'audience'], ['service', 'flow']] }] },
        audience: 'https://api.product.example',
        flow: 'native',
        UserTokenIssued: 1,
      });
    });
  });
});

describe('the logger', () => {
  const previous = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, logLevel: process.env.POWERTOOLS_LOG_LEVEL };
  // The tests' setup silences the logs; this test reads them.
  beforeEach(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const [name, value] of [
      ['AWS_LAMBDA_FUNCTION_NAME', previous.functionName],
      ['POWERTOOLS_LOG_LEVEL', previous.logLevel],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test.each([
    ['writes its first record at init in a Lambda environment, so that the first request does not', 'guichet-fn', 1],
    ['writes nothing at load in a test', undefined, 0],
  ])('%s', (_title, functionName, records) => {
    if (functionName === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    else process.env.AWS_LAMBDA_FUNCTION_NAME = functionName;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.isolateModules(() => require('../../../lambdas/shared/observability'));
    const messages = write.mock.calls.map(([line]) => JSON.parse(String(line)).message);
    expect(messages).toEqual(records ? ['execution environment initialized'] : []);
  });
});
