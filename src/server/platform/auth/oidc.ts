/** External OpenID Connect login (Pro Santé Connect-like). Implementation in progress by a helper. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  acr: string | null;
}

export interface OidcClient {
  /** Where to send the browser, with state, nonce, PKCE challenge and acr_values. */
  authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }): Promise<string>;
  /** Exchanges the code and checks signature, iss, aud, nonce, state and acr; throws on any mismatch. */
  callback(currentUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<OidcIdentity>;
}

export async function createOidcClient(
  _config: { issuer: string; clientId: string; clientSecret: string; acr: string },
  _publicUrl: string,
): Promise<OidcClient> {
  throw new Error('OIDC client not built yet');
}
