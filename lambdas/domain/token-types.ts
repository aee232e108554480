/** RFC 8693 token exchange, and the token types guichet exchanges: its session token for an access token. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const SESSION_TOKEN_TYPE = 'urn:guichet:token-type:session';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** The `client_id` of every user token: what tells a resource server it acts for a person's guichet session. */
export const USER_TOKEN_CLIENT_ID = 'guichet-session';
/** The event of a logout token (OpenID Connect Back-Channel Logout 1.0 §2.4), in the IdP's and in guichet's. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
