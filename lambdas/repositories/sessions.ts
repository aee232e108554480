import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, putNewItem, grantedTable, updateIf } from '../shared/dynamo';
import type { LoginFlow } from '../shared/metric-names';
import { TABLES } from '../tables';

/** A guichet session, keyed by the SHA-256 of its token; the token itself is never stored. */
export interface SessionRecord {
  readonly id: string;
  readonly flow: LoginFlow;
  readonly issuer: string;
  readonly sub: string;
  /** Issuer-scoped keys of the `bySubject` and `byIdpSession` indexes (back-channel logout). */
  readonly subjectKey: string;
  readonly idpSessionKey?: string;
  readonly sid?: string;
  /** Only an address the IdP asserted as verified; `emailVerified` marks rows written since that rule. */
  readonly email?: string;
  readonly emailVerified?: true;
  readonly name?: string;
  /** Sent back to the IdP as `id_token_hint` at logout. */
  readonly idToken?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The audiences with a back-channel logout endpoint that were issued a token of this session: told when it ends. */
  readonly logoutAudiences?: ReadonlySet<string>;
}

/**
 * What is left of a session that ended with logout deliveries to make, until they are queued: the person's `sub`
 * and the audiences to tell, in the outbox (the sparse `byLogoutOutbox` index), and nothing that opens anything.
 */
export interface EndedSessionRecord {
  readonly id: string;
  readonly sub: string;
  readonly endedAt: number;
  readonly logoutAudiences: ReadonlySet<string>;
}

const TABLE = grantedTable('sessions');

export const saveSession = (record: SessionRecord): Promise<void> => putNewItem(TABLE, record);

/**
 * Strongly consistent, so a session ended a moment ago is never read back as live. An ended session whose logout
 * deliveries wait in the outbox is no session: it is undefined here, as a deleted one. A row written before guichet
 * checked `email_verified` carries an address nobody verified: it is read without it.
 */
export async function findSession(id: string): Promise<SessionRecord | undefined> {
  const item = await getItem(id);
  if (item === undefined || 'endedAt' in item) return undefined;
  const record = item as unknown as SessionRecord;
  if (record.email === undefined || record.emailVerified === true) return record;
  const { email: _unverified, ...withoutEmail } = record;
  return withoutEmail;
}

/** An ended session whose logout deliveries are in the outbox, if it still is. */
export async function findEndedSession(id: string): Promise<EndedSessionRecord | undefined> {
  const item = await getItem(id);
  return item !== undefined && 'endedAt' in item ? (item as unknown as EndedSessionRecord) : undefined;
}

async function getItem(id: string): Promise<Record<string, unknown> | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: TABLE(), Key: { id }, ConsistentRead: true }));
  return result.Item;
}

/**
 * Records that a token for `audience` was issued from the session, in one conditional write: false when the session
 * is gone or has ended, so that no token is issued that its end would not be told to.
 */
export function recordLogoutAudience(id: string, audience: string): Promise<boolean> {
  return updateIf({
    TableName: TABLE(),
    Key: { id },
    UpdateExpression: 'ADD logoutAudiences :audience',
    ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(endedAt)',
    ExpressionAttributeValues: { ':audience': new Set([audience]) },
  });
}

export interface SessionEnd {
  /** Only a session of this user (the `subjectKey` of back-channel logout by `sid` and `sub`). */
  readonly subjectKey?: string;
  readonly endedAt: number;
  /** How long the ended session may wait in the outbox: past that its deliveries could not be made anyway. */
  readonly keepUntil: number;
  /** The outbox index key it is filed under. */
  readonly outboxKey: string;
}

/**
 * Ends a session and returns it as it was, or undefined when there was none to end (gone, already ended, or another
 * user's). A session that never had a token for an audience to tell is deleted, in one conditional delete. One
 * that had is ended, with its deliveries, in one conditional update that no crash can split (DynamoDB writes one
 * item atomically; dynalite has no transactions, and none is needed): it leaves both indexes of live sessions, loses
 * what could open anything (its id token, the person's e-mail and name), and enters the outbox. A token minted for a
 * new audience in between fails its own condition, which keeps the audience list the update returns exact.
 */
export async function endSessionItem(id: string, end: SessionEnd): Promise<SessionRecord | undefined> {
  const ofSubject = end.subjectKey === undefined ? '' : ' AND subjectKey = :subjectKey';
  const subjectValues = end.subjectKey === undefined ? {} : { ':subjectKey': end.subjectKey };
  try {
    const deleted = await documentClient.send(
      new DeleteCommand({
        TableName: TABLE(),
        Key: { id },
        ConditionExpression: `attribute_exists(id) AND attribute_not_exists(logoutAudiences) AND attribute_not_exists(endedAt)${ofSubject}`,
        ...(end.subjectKey === undefined ? {} : { ExpressionAttributeValues: subjectValues }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return deleted.Attributes as SessionRecord | undefined;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  try {
    const ended = await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id },
        UpdateExpression:
          'SET endedAt = :endedAt, logoutOutbox = :outbox, expiresAt = :keepUntil REMOVE subjectKey, idpSessionKey, idToken, email, emailVerified, #name',
        ConditionExpression: `attribute_exists(id) AND attribute_not_exists(endedAt)${ofSubject}`,
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':endedAt': end.endedAt, ':outbox': end.outboxKey, ':keepUntil': end.keepUntil, ...subjectValues },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return ended.Attributes as SessionRecord | undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Takes an ended session out of the outbox once its deliveries are queued: nothing of it is needed any more. */
export async function clearLogoutOutbox(id: string): Promise<void> {
  try {
    await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id }, ConditionExpression: 'attribute_exists(endedAt)' }));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

type SessionIndex = 'bySubject' | 'byIdpSession' | 'byLogoutOutbox';

/**
 * Ids of the sessions of one user (`bySubject`), of one IdP session (`byIdpSession`), or in one shard of the logout
 * outbox (`byLogoutOutbox`), through the index.
 */
export async function sessionIdsBy(index: SessionIndex, key: string): Promise<string[]> {
  const attribute = TABLES.sessions.indexes.find((definition) => definition.name === index)!.partitionKey;
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: TABLE(),
        IndexName: index,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': attribute },
        ExpressionAttributeValues: { ':key': key },
        ExclusiveStartKey: startKey,
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => item.id as string));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}
