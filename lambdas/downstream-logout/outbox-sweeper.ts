import { sweepLogoutOutbox } from '../domain/session-end';
import { logger } from '../shared/observability';

/**
 * EventBridge's schedule: queues the logout deliveries that an ended session's own function could not. What it
 * cannot queue either fails the run, which the sweeper's error alarm counts, and waits for the next one.
 */
export async function handler(): Promise<void> {
  const sweep = await sweepLogoutOutbox();
  logger.info('logout outbox swept', { ...sweep });
  if (sweep.left > 0) throw new Error(`${sweep.left} ended sessions still wait in the logout outbox: SQS refused their deliveries`);
}
