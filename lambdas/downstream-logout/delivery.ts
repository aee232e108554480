import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { attemptDelivery, type DeliveryDecision, failedDelivery, parseDelivery } from '../domain/logout-delivery';
import {
  deleteLogoutDelivery,
  keepFailedLogoutDelivery,
  type LogoutDelivery,
  retryLogoutDeliveryIn,
} from '../repositories/logout-deliveries';
import { appConfig } from '../shared/config';
import { type LogoutDeliveryOutcome, MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { signingKeyStore } from '../shared/signing-keys';

const config = appConfig();
const keys = signingKeyStore(config.signingKeysCacheSeconds);

/**
 * The delivery queue's consumer (an SQS event source mapping with partial batch responses): the deliveries of a
 * batch run side by side. A delivered message is deleted at once, and a failed one once it is kept in the
 * failed-deliveries queue, so that a crash later in the batch sends neither again; a retried one is made visible
 * again when its backoff says, and reported as a batch item failure. Whatever else goes wrong with a message (SQS,
 * the signing keys) reports it too: SQS shows it again after the queue's visibility timeout.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures = await Promise.all(event.Records.map(deliver));
  return { batchItemFailures: failures.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Returns the message id when the message must be received again. */
async function deliver(record: SQSRecord): Promise<string | undefined> {
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  const delivery = parseDelivery(record.body);
  try {
    const decision: DeliveryDecision = delivery
      ? await attemptDelivery(delivery, attempt, { config, signingKey: keys.currentKey })
      : { action: 'failed', reason: 'malformed' };
    report(delivery, decision, attempt);
    if (decision.action === 'retry') {
      await retryLogoutDeliveryIn(record.receiptHandle, decision.inSeconds);
      return record.messageId;
    }
    if (decision.action === 'failed') {
      const unreadable: LogoutDelivery = { audience: 'unknown', sub: 'unknown', sid: 'unknown', endedAt: 0 };
      await keepFailedLogoutDelivery(failedDelivery(delivery ?? unreadable, decision, attempt));
    }
    await deleteLogoutDelivery(record.receiptHandle);
    return undefined;
  } catch (error) {
    logger.error('logout delivery interrupted: SQS shows it again after its visibility timeout', {
      message: record.messageId,
      error: error as Error,
    });
    return record.messageId;
  }
}

const OUTCOMES: Readonly<Record<DeliveryDecision['action'], LogoutDeliveryOutcome>> = {
  delivered: 'delivered',
  retry: 'retried',
  failed: 'failed',
};

function report(delivery: LogoutDelivery | undefined, decision: DeliveryDecision, attempt: number): void {
  const outcome = OUTCOMES[decision.action];
  const audience = delivery?.audience ?? 'unknown';
  countMetric(MetricName.LogoutDeliveryAttempted, [{ outcome, audience }, { outcome }]);
  const details = { audience, sid: delivery?.sid, attempt, ...decision };
  if (decision.action === 'failed') logger.warn('logout delivery failed: kept in the failed-deliveries queue', details);
  else logger.info(`logout delivery ${outcome}`, details);
}
