import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRICS_NAMESPACE,
  SERVICE_NAME,
  type ExchangeRejectionReason,
  type LoginFlow,
  type LogoutRejectionReason,
  type Dependency,
  type DependencyFailureKind,
  type MetricName,
  type RateLimitPurpose,
} from './metric-names';

/** Structured JSON logs. Never pass a secret (token, code, cookie, verifier) to it: log hashes or outcomes. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export interface MetricDimensions {
  readonly flow?: LoginFlow;
  readonly reason?: ExchangeRejectionReason | LogoutRejectionReason | RateLimitPurpose | DependencyFailureKind;
  readonly dependency?: Dependency;
  /** The client id of a machine-to-machine application. */
  readonly application?: string;
}

/**
 * Emits one count at once as its own EMF record, so metrics with different dimensions never share a record
 * and nothing is lost if the invocation fails later. A count with dimensions is also published with the
 * `service` dimension alone: the total that alarms watch (an alarm cannot sum more than ten series).
 */
export function countMetric(name: MetricName, dimensions: MetricDimensions = {}, value = 1): void {
  const single = metrics.singleMetric();
  const definedDimensions = Object.fromEntries(
    Object.entries(dimensions).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  if (Object.keys(definedDimensions).length > 0) {
    single.addDimensions({});
    single.addDimensions(definedDimensions);
  }
  single.addMetric(name, MetricUnit.Count, value);
}
