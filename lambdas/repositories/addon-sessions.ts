import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, putNewItem, grantedTable, takeItem } from '../shared/dynamo';

/** Who completed an add-in login: the user of the web session that confirmed it. */
export interface AddonIdentity {
  readonly sub: string;
  readonly email?: string;
  readonly name?: string;
  /** The web session (SHA-256 of its token): if it ends before the poll, no token is delivered. */
  readonly webSessionId: string;
}

/** An Office add-in's login, keyed by the SHA-256 of the id held only in the add-in's cookie. */
export type AddonSessionRecord = {
  readonly id: string;
  readonly transitTokenId: string;
  readonly expiresAt: number;
} & ({ readonly state: 'pending' } | ({ readonly state: 'authenticated' } & AddonIdentity));

const TABLE = grantedTable('addonSessions');

export const saveAddonSession = (record: AddonSessionRecord): Promise<void> => putNewItem(TABLE, record);

export async function findAddonSession(id: string): Promise<AddonSessionRecord | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return result.Item as AddonSessionRecord | undefined;
}

/**
 * pending → authenticated, in one conditional write: only for the transit token it was opened with,
 * and only while it has not expired. False if the condition failed.
 */
export async function markAuthenticated(id: string, transitTokenId: string, identity: AddonIdentity, now: number): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id },
        UpdateExpression: 'SET #state = :authenticated, #sub = :sub, email = :email, #name = :name, webSessionId = :webSessionId',
        ConditionExpression: '#state = :pending AND transitTokenId = :transitTokenId AND expiresAt > :now',
        ExpressionAttributeNames: { '#state': 'state', '#sub': 'sub', '#name': 'name' },
        ExpressionAttributeValues: {
          ':authenticated': 'authenticated',
          ':pending': 'pending',
          ':sub': identity.sub,
          ':email': identity.email ?? null,
          ':name': identity.name ?? null,
          ':webSessionId': identity.webSessionId,
          ':transitTokenId': transitTokenId,
          ':now': now,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** authenticated → gone, returning it: of concurrent polls, exactly one collects the login. */
export const takeAuthenticated = (id: string) =>
  takeItem<Extract<AddonSessionRecord, { state: 'authenticated' }>>(TABLE, id, { attribute: 'state', equals: 'authenticated' });

export async function deleteAddonSession(id: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id } }));
}
