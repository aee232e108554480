import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES, type TableName } from '../tables';

/** One client per Lambda container, reused across invocations (connection keep-alive). */
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * The name of a table this Lambda was granted. Repositories call it at module load, so a handler that
 * touches a table its route does not name fails its init instead of failing later with AccessDenied.
 */
export function tableName(table: TableName): string {
  const { envVar } = TABLES[table];
  const name = process.env[envVar];
  if (!name) throw new Error(`${envVar} is not set: this function has no access to the ${table} table`);
  return name;
}

/** DynamoDB's answer when a conditional write loses: the single-use value was already taken. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
