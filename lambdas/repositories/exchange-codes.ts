import { grantedTable, putNewItem, takeItem } from '../shared/dynamo';

/** A native app's one-time exchange code, keyed by the SHA-256 of the code. */
export interface ExchangeCodeRecord {
  readonly id: string;
  /** The session it hands over (the SHA-256 of the session token). */
  readonly sessionId: string;
  /** The session token, sealed under a key derived from the code itself. */
  readonly sealedSessionToken: string;
  /** The app's PKCE S256 challenge: only the holder of the verifier may redeem the code. */
  readonly codeChallenge: string;
  readonly expiresAt: number;
}

const TABLE = grantedTable('exchangeCodes');

export const saveExchangeCode = (record: ExchangeCodeRecord): Promise<void> => putNewItem(TABLE, record);

/** Exactly one caller ever gets the code; expiry is the caller's to check. */
export const takeExchangeCode = (id: string): Promise<ExchangeCodeRecord | undefined> => takeItem(TABLE, id);
