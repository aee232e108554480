import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, putNewItem, takeItem, updatedItemIf, updateIf } from '../shared/dynamo';

/**
 * What the confirmed dialog leaves for the add-in: its access token, usable only with the one-time completion code
 * that only the add-in's window receives.
 */
export interface AddinConfirmation {
  /** SHA-256 of the completion code; the code itself is never stored. */
  readonly completionHash: string;
  /** The access token, sealed under a key derived from the completion code: nothing usable rests in the table. */
  readonly sealedToken: string;
  readonly tokenExpiresAt: number;
  readonly scope: string;
  /** The web session that confirmed (SHA-256 of its token): if it ends before the poll, no token is delivered. */
  readonly webSessionId: string;
}

/**
 * An Office add-in's login, keyed by the SHA-256 of the id held only in the add-in's cookie, bound to the origin of
 * the add-in's page that opened it. `pollUntil` marks a poll in progress (epoch seconds), so that only one poll at
 * a time waits on it.
 */
export type AddinSessionRecord = {
  readonly id: string;
  readonly transitTokenId: string;
  /** The add-in's origin (listed in CORS_ORIGINS): the only window the completion code is delivered to. */
  readonly origin: string;
  readonly expiresAt: number;
  readonly pollId?: string;
  readonly pollUntil?: number;
} & ({ readonly state: 'pending' | 'cancelled' } | ({ readonly state: 'confirmed' } & AddinConfirmation));

const TABLE = grantedTable('addinSessions');

export const saveAddinSession = (record: AddinSessionRecord): Promise<void> => putNewItem(TABLE, record);

export async function findAddinSession(id: string): Promise<AddinSessionRecord | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return result.Item as AddinSessionRecord | undefined;
}

/**
 * pending → confirmed, in one conditional write: only for the transit token it was opened with, and only while it
 * has not expired. The confirmed login as stored, or undefined if the condition failed.
 */
export function markConfirmed(id: string, transitTokenId: string, confirmation: AddinConfirmation, now: number) {
  return updatedItemIf<Extract<AddinSessionRecord, { state: 'confirmed' }>>({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression:
      'SET #state = :confirmed, completionHash = :completionHash, sealedToken = :sealedToken, ' +
      'tokenExpiresAt = :tokenExpiresAt, #scope = :scope, webSessionId = :webSessionId',
    ConditionExpression: '#state = :pending AND transitTokenId = :transitTokenId AND expiresAt > :now',
    ExpressionAttributeNames: { '#state': 'state', '#scope': 'scope' },
    ExpressionAttributeValues: {
      ':confirmed': 'confirmed',
      ':pending': 'pending',
      ':completionHash': confirmation.completionHash,
      ':sealedToken': confirmation.sealedToken,
      ':tokenExpiresAt': confirmation.tokenExpiresAt,
      ':scope': confirmation.scope,
      ':webSessionId': confirmation.webSessionId,
      ':transitTokenId': transitTokenId,
      ':now': now,
    },
  });
}

/**
 * confirmed → gone, returning it, only for the completion code it was confirmed with: of concurrent polls, exactly
 * one collects the token.
 */
export const takeConfirmed = (id: string, completionHash: string) =>
  takeItem<Extract<AddinSessionRecord, { state: 'confirmed' }>>(TABLE, id, { attribute: 'completionHash', equals: completionHash });

/** cancelled → gone: the poll that learns of the cancellation ends the add-in login. */
export const takeCancelled = (id: string) => takeItem<AddinSessionRecord>(TABLE, id, { attribute: 'state', equals: 'cancelled' });

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

export async function deleteAddinSession(id: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id } }));
}
