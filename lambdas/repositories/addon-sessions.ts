import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, putNewItem, grantedTable, takeItem, updateIf } from '../shared/dynamo';

/** Who completed an add-in login: the user of the web session that confirmed it. */
export interface AddonIdentity {
  readonly sub: string;
  readonly email?: string;
  readonly name?: string;
  /** The web session (SHA-256 of its token): if it ends before the poll, no token is delivered. */
  readonly webSessionId: string;
}

/**
 * An Office add-in's login, keyed by the SHA-256 of the id held only in the add-in's cookie. `pollUntil` marks a
 * poll in progress (epoch seconds), so that only one poll at a time waits on it.
 */
export type AddonSessionRecord = {
  readonly id: string;
  readonly transitTokenId: string;
  readonly expiresAt: number;
  readonly pollId?: string;
  readonly pollUntil?: number;
} & ({ readonly state: 'pending' | 'cancelled' } | ({ readonly state: 'authenticated' } & AddonIdentity));

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
export function markAuthenticated(id: string, transitTokenId: string, identity: AddonIdentity, now: number): Promise<boolean> {
  return updateIf({
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
  });
}

/** authenticated → gone, returning it: of concurrent polls, exactly one collects the login. */
export const takeAuthenticated = (id: string) =>
  takeItem<Extract<AddonSessionRecord, { state: 'authenticated' }>>(TABLE, id, { attribute: 'state', equals: 'authenticated' });

/** cancelled → gone: the poll that learns of the cancellation ends the add-in login. */
export const takeCancelled = (id: string) => takeItem<AddonSessionRecord>(TABLE, id, { attribute: 'state', equals: 'cancelled' });

/** pending → cancelled, in one conditional write, only for the transit token it was opened with. */
export function markCancelled(id: string, transitTokenId: string): Promise<boolean> {
  return updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'SET #state = :cancelled',
    ConditionExpression: '#state = :pending AND transitTokenId = :transitTokenId',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':cancelled': 'cancelled', ':pending': 'pending', ':transitTokenId': transitTokenId },
  });
}

/**
 * Marks a poll in progress until `until` (epoch seconds), in one conditional write: false when another poll's
 * mark has not expired yet, or when there is no such add-in login.
 */
export function claimPoll(id: string, pollId: string, until: number, now: number): Promise<boolean> {
  return updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'SET pollId = :pollId, pollUntil = :until',
    ConditionExpression: 'attribute_exists(id) AND (attribute_not_exists(pollUntil) OR pollUntil <= :now)',
    ExpressionAttributeValues: { ':pollId': pollId, ':until': until, ':now': now },
  });
}

/** Removes this poll's mark; nothing when the login is gone (collected) or another poll marked it since. */
export async function releasePoll(id: string, pollId: string): Promise<void> {
  await updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'REMOVE pollId, pollUntil',
    ConditionExpression: 'pollId = :pollId',
    ExpressionAttributeValues: { ':pollId': pollId },
  });
}

export async function deleteAddonSession(id: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id } }));
}
