import { grantedTable, putNewItem, takeItem } from '../shared/dynamo';

/**
 * A native login the person has not confirmed yet, keyed by the SHA-256 of its continuation (the confirmation
 * page's form field). Everything the exchange code will need waits here, and nothing is minted before the click.
 */
export interface NativeContinuationRecord {
  readonly id: string;
  /** SHA-256 of the secret in the cookie of the browser that did the login. */
  readonly browserBinding: string;
  /** The session it will hand over (the SHA-256 of the session token). */
  readonly sessionId: string;
  /** The session token, sealed under a key derived from the continuation itself. */
  readonly sealedSessionToken: string;
  readonly returnTo: string;
  readonly appCodeChallenge: string;
  readonly appState?: string;
  readonly expiresAt: number;
}

const TABLE = grantedTable('nativeContinuations');

export const saveNativeContinuation = (record: NativeContinuationRecord): Promise<void> => putNewItem(TABLE, record);

/** Exactly one caller ever gets the continuation; expiry and binding are the caller's to check. */
export const takeNativeContinuation = (id: string): Promise<NativeContinuationRecord | undefined> => takeItem(TABLE, id);
