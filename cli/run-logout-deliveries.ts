import { type CliIo, type CommandOutput, parseTargetCommandLine, runCommand, TARGET_OPTIONS_USAGE, UsageError } from './command-runner';
import { FailedDeliveries, type FailedDelivery } from './failed-deliveries';
import { resolveTarget } from './stack';

const USAGE = [
  'Usage: npm run logout-deliveries -- <list | redrive <message-id>... | redrive --all> [--json] [--stack <name> [--region <region>]]',
  '',
  'The downstream back-channel logouts that failed (a product backend answered 4xx, or no success within',
  'LOGOUT_DELIVERY_MAX_AGE_SECONDS): guichet keeps them in the failed-deliveries queue, and its alarm says so.',
  '  list             every failed delivery: audience, session (sid), user (sub), why it failed, when',
  '  redrive          sends the deliveries named (or --all) back to the delivery queue: guichet tries them again,',
  '                   for LOGOUT_DELIVERY_MAX_AGE_SECONDS from now, with the endpoint API_AUDIENCES registers now',
  ...TARGET_OPTIONS_USAGE,
].join('\n');

/** `npm run logout-deliveries -- list | redrive ...`. Returns the exit code. */
export function runLogoutDeliveries(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand('logout-deliveries', argv, io, async (): Promise<CommandOutput> => {
    const { values, positionals } = parseTargetCommandLine(argv, { all: { type: 'boolean' } });
    if (values.help) return { json: { usage: USAGE }, text: USAGE };
    const [command, ...ids] = positionals;
    if (command === undefined) throw new UsageError('no command given');
    if (command === 'list' && (ids.length > 0 || values.all)) throw new UsageError('usage: npm run logout-deliveries -- list');
    if (command === 'redrive' && ids.length > 0 === Boolean(values.all)) {
      throw new UsageError('usage: npm run logout-deliveries -- redrive <message-id>... | redrive --all');
    }
    if (command !== 'list' && command !== 'redrive') throw new UsageError(`unknown command "${command}"`);
    const deliveries = await FailedDeliveries.open(await resolveTarget(values, io.env));
    try {
      if (command === 'list') {
        const failed = await deliveries.list();
        return { json: failed.map(asJson), text: failed.length === 0 ? 'No failed logout delivery.' : failed.map(asText).join('\n') };
      }
      const { redriven, notFound } = await deliveries.redrive(values.all ? 'all' : ids);
      const missing = notFound.length > 0 ? `; not found: ${notFound.join(', ')}` : '';
      return { json: { redriven, not_found: notFound }, text: `Redriven ${redriven.length} logout deliveries${missing}.` };
    } finally {
      deliveries.close();
    }
  });
}

function asJson({ messageId, delivery, body }: FailedDelivery) {
  if (!delivery) return { message_id: messageId, body };
  const failure = 'failure' in delivery ? delivery.failure : undefined;
  return {
    message_id: messageId,
    audience: delivery.audience,
    sid: delivery.sid,
    sub: delivery.sub,
    ended_at: new Date(delivery.endedAt * 1000).toISOString(),
    failure: failure && {
      reason: failure.reason,
      status: failure.status,
      at: new Date(failure.at * 1000).toISOString(),
      attempts: failure.attempts,
    },
  };
}

function asText(failed: FailedDelivery): string {
  const shown = asJson(failed);
  if (!('audience' in shown)) return `${shown.message_id}  (not a delivery) ${shown.body}`;
  const why = shown.failure
    ? `${shown.failure.reason}${shown.failure.status ? ` ${shown.failure.status}` : ''} after ${shown.failure.attempts} attempts`
    : 'moved by SQS';
  return `${shown.message_id}  ${shown.audience}  sid ${shown.sid}  sub ${shown.sub}  ended ${shown.ended_at}  ${why}`;
}
