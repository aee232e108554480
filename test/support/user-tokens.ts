/** A native app's token exchange (RFC 8693) at guichet's `/oauth/token`: its session token for a user token. */
export function exchangeSessionToken(publicUrl: string, sessionToken: string, form: Record<string, string> = {}): Promise<Response> {
  return fetch(`${publicUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: sessionToken,
      subject_token_type: 'urn:guichet:token-type:session',
      ...form,
    }).toString(),
  });
}
