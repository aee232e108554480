import { grantedTable, putNewItem, takeItem } from '../shared/dynamo';
import type { LoginFlow } from '../shared/metric-names';

/** A login in progress at the IdP, keyed by the SHA-256 of its `state`. */
export interface LoginFlowRecord {
  readonly id: string;
  readonly flow: LoginFlow;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
  /** Native logins: the app's PKCE challenge and its own state, echoed back with the exchange code. */
  readonly appCodeChallenge?: string;
  readonly appState?: string;
  readonly expiresAt: number;
}

const TABLE = grantedTable('loginFlows');

export const saveLoginFlow = (record: LoginFlowRecord): Promise<void> => putNewItem(TABLE, record);

/** Of two callbacks with the same state, exactly one gets the flow; expiry is the caller's to check. */
export const takeLoginFlow = (id: string): Promise<LoginFlowRecord | undefined> => takeItem(TABLE, id);
