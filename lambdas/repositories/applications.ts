import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, grantedTable, isConditionFailure, putNewItem } from '../shared/dynamo';

/**
 * A machine-to-machine application, keyed by its client id. It authenticates either with secrets, stored only as
 * SHA-256 (a current one, and during a rotation's grace period the previous one), or with public keys (a JWKS given
 * by the operator, or the `jwks_uri` it publishes them at) for private_key_jwt: never both.
 */
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
  /** The current secret's hash; absent on an application that authenticates with keys. */
  readonly secretHash?: string;
  /** When the current secret was made; absent on records written before rotations kept the previous secret. */
  readonly secretCreatedAt?: number;
  /** The secret a rotation replaced, valid until `previousSecretExpiresAt` (checked on every read). */
  readonly previousSecretHash?: string;
  readonly previousSecretCreatedAt?: number;
  readonly previousSecretExpiresAt?: number;
  /** Where the application publishes its public keys (private_key_jwt). */
  readonly jwksUri?: string;
  /** Its public keys as given by the operator: a JWK Set, as JSON text (private_key_jwt). */
  readonly jwks?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

type Changeable = Omit<ApplicationRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type ApplicationChanges = Partial<Changeable>;

/** What an update removes, and the values it expects to find (else it changes nothing: someone else changed them). */
export interface ApplicationUpdateOptions {
  readonly remove?: readonly (keyof Changeable)[];
  readonly expect?: Readonly<Partial<Record<keyof Changeable, string | number>>>;
}

/** The outcome of an update with expectations: the record, none with this client id, or it had changed. */
export type ApplicationUpdate = ApplicationRecord | 'not_found' | 'changed';

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
  const result = await updateApplicationIf(clientId, changes, now, {});
  return typeof result === 'string' ? undefined : result;
}

/**
 * Applies changes and removals to an existing application in one conditional write, provided the attributes of
 * `expect` still hold the values read before: two operators rotating one secret at once cannot lose one.
 */
export async function updateApplicationIf(
  clientId: string,
  changes: ApplicationChanges,
  now: number,
  { remove = [], expect = {} }: ApplicationUpdateOptions,
): Promise<ApplicationUpdate> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const name = (attribute: string) => {
    const placeholder = `#n${Object.keys(names).length}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const value = (content: unknown) => {
    const placeholder = `:v${Object.keys(values).length}`;
    values[placeholder] = content;
    return placeholder;
  };
  const assignments = (entries: object) =>
    Object.entries(entries)
      .filter(([, content]) => content !== undefined)
      .map(([attribute, content]) => `${name(attribute)} = ${value(content)}`);
  const set = assignments({ ...changes, updatedAt: now });
  const removed = remove.map(name);
  const expected = assignments(expect);
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: { id: clientId },
        UpdateExpression: `SET ${set.join(', ')}${removed.length ? ` REMOVE ${removed.join(', ')}` : ''}`,
        ConditionExpression: ['attribute_exists(id)', ...expected].join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as ApplicationRecord;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return expected.length > 0 && (await findApplication(clientId)) ? 'changed' : 'not_found';
  }
}

/** True if an application was deleted. */
export async function deleteApplication(clientId: string): Promise<boolean> {
  const result = await documentClient.send(new DeleteCommand({ TableName: TABLE(), Key: { id: clientId }, ReturnValues: 'ALL_OLD' }));
  return result.Attributes !== undefined;
}
