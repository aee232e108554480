/** An HTTP Basic Authorization header for client credentials (RFC 6749 §2.3.1: each part form-encoded first). */
export const basicAuthorization = (clientId: string, clientSecret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
