import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_NAMES, TABLES, type TableName } from '../tables';
import { prepareAtInit } from './init';
import { traced } from './tracing';

/**
 * One client per Lambda container, reused across invocations (connection keep-alive). A DynamoDB that does not
 * answer within the timeouts fails the request as unavailable (504), rather than at the Lambda's own timeout.
 */
export const documentClient = DynamoDBDocumentClient.from(
  traced(new DynamoDBClient({ requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } }), 'DynamoDB'),
  {
    marshallOptions: { removeUndefinedValues: true },
  },
);

/**
 * At init, a request made and signed but stopped before the network: the client's credentials, endpoint rules,
 * serializers and signer are then ready, so the first request only pays the connection. It needs no permission.
 */
const someGrantedTable = TABLE_NAMES.map((table) => process.env[TABLES[table].envVar]).find(Boolean);
if (someGrantedTable) {
  prepareAtInit(() =>
    documentClient.send(new GetCommand({ TableName: someGrantedTable, Key: { id: 'init' } }), { abortSignal: AbortSignal.abort() }),
  );
}

/**
 * The name of a table this Lambda was granted, read from the environment on first use: a module may be loaded
 * by a function that never touches its table, but a function touching a table its route does not grant fails
 * loudly at that moment, naming the table, instead of with a bare AccessDenied.
 */
export function grantedTable(table: TableName): () => string {
  let name: string | undefined;
  return () => {
    if (name) return name;
    const { envVar } = TABLES[table];
    name = process.env[envVar];
    if (!name) throw new Error(`${envVar} is not set: this function's route does not grant the ${table} table`);
    return name;
  };
}

/** DynamoDB's answer when a conditional write loses: the single-use value was already taken. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** A conditional update, in one write: true when it was made, false when its condition did not hold. */
export async function updateIf(input: UpdateCommandInput): Promise<boolean> {
  return (await unlessConditionFails(documentClient.send(new UpdateCommand(input)))) !== undefined;
}

/** A conditional update, in one write: the item as the update left it, or undefined when its condition did not hold. */
export async function updatedItemIf<T>(input: UpdateCommandInput): Promise<T | undefined> {
  const result = await unlessConditionFails(documentClient.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW' })));
  return result?.Attributes as T | undefined;
}

async function unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Writes an item that must not exist yet: a random id colliding is refused rather than overwritten. */
export async function putNewItem<T extends { readonly id: string }>(table: () => string, item: T): Promise<void> {
  await documentClient.send(new PutCommand({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
}

/**
 * Removes an item and returns it, in one conditional delete: of any number of concurrent callers,
 * exactly one gets the item. This is how every single-use value is consumed. `onlyIf` narrows it to an
 * item in a given state.
 */
export async function takeItem<T>(
  table: () => string,
  id: string,
  onlyIf?: { readonly attribute: string; readonly equals: string },
): Promise<T | undefined> {
  try {
    const result = await documentClient.send(
      new DeleteCommand({
        TableName: table(),
        Key: { id },
        ConditionExpression: onlyIf ? 'attribute_exists(id) AND #attribute = :value' : 'attribute_exists(id)',
        ExpressionAttributeNames: onlyIf && { '#attribute': onlyIf.attribute },
        ExpressionAttributeValues: onlyIf && { ':value': onlyIf.equals },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes as T | undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
