/**
 * DynamoDB operations as the bench counts them: by API name, reads marked when eventually consistent, since
 * that halves their price. Counted on the handlers' document client, whatever the outcome (a conditional write
 * that fails is billed too).
 */
export type OperationCounts = Readonly<Record<string, number>>;

const API_NAMES: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
};

const EVENTUALLY_CONSISTENT = ' (eventually consistent)';

/** The label of one call of the document client. */
export function operationLabel(command: { readonly constructor: { readonly name: string }; readonly input?: unknown }): string {
  const name = API_NAMES[command.constructor.name] ?? command.constructor.name;
  const consistentRead = (command.input as { ConsistentRead?: boolean } | undefined)?.ConsistentRead === true;
  // A Query of a global secondary index is always eventually consistent.
  const eventual = name === 'Query' || (name === 'GetItem' && !consistentRead);
  return eventual ? `${name}${EVENTUALLY_CONSISTENT}` : name;
}

/** What happened between two snapshots of the counts, per request. */
export function operationsPerRequest(before: OperationCounts, after: OperationCounts, requests: number): OperationCounts {
  const result: Record<string, number> = {};
  for (const [label, count] of Object.entries(after)) {
    const delta = (count - (before[label] ?? 0)) / requests;
    if (delta > 0) result[label] = delta;
  }
  return result;
}

/**
 * On-demand request units of one operation on guichet's small items: a read of up to 4 KB is 1 read unit strongly
 * consistent and half of one eventually consistent; a write of up to 1 KB is 1 write unit.
 */
export function requestUnits(label: string): { readonly read: number; readonly write: number } {
  const eventual = label.endsWith(EVENTUALLY_CONSISTENT);
  const name = eventual ? label.slice(0, -EVENTUALLY_CONSISTENT.length) : label;
  if (name === 'GetItem' || name === 'Query') return { read: eventual ? 0.5 : 1, write: 0 };
  if (name === 'PutItem' || name === 'UpdateItem' || name === 'DeleteItem') return { read: 0, write: 1 };
  throw new Error(`no request-unit rule for ${label}: add one to bench/dynamodb-operations.ts`);
}

/** `1 GetItem + 2 DeleteItem`, in a stable order. */
export function describeOperations(counts: OperationCounts): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'none';
  return entries.map(([label, count]) => `${Number.isInteger(count) ? count : count.toFixed(2)} ${label}`).join(' + ');
}
