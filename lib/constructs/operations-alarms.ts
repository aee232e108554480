import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { GuichetAlarms } from './guichet-alarms';
import { SUM, serverErrorRate, throttledRequests } from './operations-metrics';

export const SERVER_ERROR_RATE_ALARM_ID = 'ApiServerErrorRate';

/** The API answers 5xx to at least `percent` % of its requests over 5 minutes. */
export function addServerErrorRateAlarm(alarms: GuichetAlarms, stage: apigwv2.IHttpStage, percent: number): cloudwatch.Alarm {
  return alarms.addThresholdAlarm(SERVER_ERROR_RATE_ALARM_ID, {
    metric: serverErrorRate(stage),
    threshold: percent,
    description: `At least ${percent} % of the API requests answered 5xx in 5 minutes`,
  });
}

/**
 * `<id>Errors` and `<id>Throttles`, raised by a single one in 5 minutes. One alarm per function and kind: an
 * alarm's math expression takes 10 metrics at most, and a metric without FunctionName would count other stacks.
 */
export function addFunctionAlarms(
  alarms: GuichetAlarms,
  id: string,
  fn: lambda.IFunction,
  errorsDescription = `The ${id} Lambda failed: an unhandled error or a timeout`,
  errorPeriods = 1,
): void {
  alarms.addThresholdAlarm(`${id}Errors`, {
    metric: fn.metricErrors(SUM),
    threshold: 1,
    description: errorsDescription,
    periods: errorPeriods,
  });
  alarms.addThresholdAlarm(`${id}Throttles`, {
    metric: fn.metricThrottles(SUM),
    threshold: 1,
    description: `The ${id} Lambda was throttled: the account's concurrency is exhausted`,
  });
}

/** `<id>TableThrottles`: DynamoDB throttled at least one request to the table in 5 minutes. */
export function addTableThrottlesAlarm(alarms: GuichetAlarms, id: string, table: dynamodb.ITable): cloudwatch.Alarm {
  return alarms.addThresholdAlarm(`${id}TableThrottles`, {
    metric: throttledRequests(table),
    threshold: 1,
    description: `DynamoDB throttled requests to the ${id} table`,
  });
}
