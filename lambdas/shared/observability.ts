import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { prepareAtInit } from './init';
import {
  type Dependency,
  type DependencyFailureKind,
  type ExchangeRejectionReason,
  type LoginFlow,
  type LogoutDeliveryOutcome,
  type LogoutRejectionReason,
  METRICS_NAMESPACE,
  type MetricName,
  type NativeContinuationRejectionReason,
  type RateLimitPurpose,
  SERVICE_NAME,
  type UserTokenRefusalReason,
} from './metric-names';

/** Structured JSON logs. Never pass a secret (token, code, cookie, verifier) to it: log hashes or outcomes. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

// Powertools' first record costs milliseconds (its timestamp and attribute formatters' first run, the stream's first
// write): written at init, it is not the first request's to pay, and it marks each new execution environment.
prepareAtInit(async () => logger.info('execution environment initialized'));

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export interface MetricDimensions {
  readonly flow?: LoginFlow;
  readonly reason?:
    | ExchangeRejectionReason
    | NativeContinuationRejectionReason
    | LogoutRejectionReason
    | RateLimitPurpose
    | DependencyFailureKind
    | UserTokenRefusalReason;
  readonly dependency?: Dependency;
  /** The client id of a machine-to-machine application. */
  readonly application?: string;
  /** The product API a user token is for, or a downstream logout is delivered to. */
  readonly audience?: string;
  readonly outcome?: LogoutDeliveryOutcome;
}

/**
 * Emits one count at once as its own EMF record, so metrics with different dimensions never share a record
 * and nothing is lost if the invocation fails later. A count with dimensions is also published with the
 * `service` dimension alone: the total that alarms watch (an alarm cannot sum more than ten series). A list
 * publishes each set of dimensions as its own series (counted per audience and, apart, per flow) in one record.
 */
export function countMetric(name: MetricName, dimensions: MetricDimensions | readonly MetricDimensions[] = {}, value = 1): void {
  const single = metrics.singleMetric();
  const dimensionSets = (Array.isArray(dimensions) ? dimensions : [dimensions])
    .map((set: MetricDimensions) =>
      Object.fromEntries(Object.entries(set).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    )
    .filter((set) => Object.keys(set).length > 0);
  if (dimensionSets.length > 0) single.addDimensions({});
  for (const set of dimensionSets) single.addDimensions(set);
  single.addMetric(name, MetricUnit.Count, value);
}
