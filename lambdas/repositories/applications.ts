import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, putNewItem, grantedTable } from '../shared/dynamo';

/** A machine-to-machine application, keyed by its client id. The secret is stored only as SHA-256. */
export interface ApplicationRecord {
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
  readonly scopes: readonly string[];
  /** E-mail domains it may act for with `subject`: empty means none, `['*']` any domain. */
  readonly domains: readonly string[];
  /**
   * 2 (`DELEGATION_MODEL`) on records written since an empty `domains` means none. Absent on older records,
   * written when it meant any domain: they are read under the current rule all the same, and
   * `npm run apps -- migrate-delegation` reviews them.
   */
  readonly delegationModel?: number;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type ApplicationChanges = Partial<Pick<ApplicationRecord, 'name' | 'active' | 'scopes' | 'domains' | 'delegationModel' | 'secretHash'>>;

const TABLE = grantedTable('applications');

export async function findApplication(clientId: string): Promise<ApplicationRecord | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id: clientId }, ConsistentRead: true }));
  return result.Item as ApplicationRecord | undefined;
}

export const saveNewApplication = (record: ApplicationRecord): Promise<void> => putNewItem(TABLE, record);

/** Applies changes to an existing application; undefined if there is none with this client id. */
export async function updateApplication(
  clientId: string,
  changes: ApplicationChanges,
  now: number,
): Promise<ApplicationRecord | undefined> {
  const entries = Object.entries({ ...changes, updatedAt: now });
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id: clientId },
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as ApplicationRecord;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** True if an application was deleted. */
export async function deleteApplication(clientId: string): Promise<boolean> {
  const result = await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id: clientId }, ReturnValues: 'ALL_OLD' }));
  return result.Attributes !== undefined;
}
