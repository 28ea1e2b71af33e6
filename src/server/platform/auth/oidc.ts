import * as client from 'openid-client';
import { safeEqual } from './crypto';

/**
 * External OpenID Connect login (Pro Santé Connect-like): authorization code flow with
 * PKCE (S256), state and nonce, client authentication by client secret, and an `acr`
 * that must be the configured one (eIDAS substantial, `eidas1`, for Pro Santé Connect).
 *
 * openid-client checks the authorization response (state, `iss` parameter), the ID token
 * (`iss`, `aud`, `azp`, `exp`, `iat`, `nonce`) and, because non-repudiation checks are
 * enabled, the ID token's signature against the provider's published keys.
 */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  acr: string | null;
}

export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcClient {
  /** The provider's issuer identifier, as discovered. */
  readonly issuer: string;
  /** `${publicUrl}/api/v1/auth/oidc/callback`, registered at the provider. */
  readonly redirectUri: string;
  /** Where to send the browser, with state, nonce, PKCE challenge and acr_values. */
  authorizationUrl(checks: OidcChecks): Promise<string>;
  /** Exchanges the code and checks signature, iss, aud, nonce, state and acr; throws on any mismatch. */
  callback(currentUrl: URL, checks: OidcChecks): Promise<OidcIdentity>;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  acr: string;
}

export interface OidcClientOptions {
  /** Outbound HTTP requests to the provider (tests use it to stand in the middle). */
  fetch?: client.CustomFetch;
  /** Seconds allowed for each request to the provider. Default 10. */
  timeout?: number;
}

export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
const SCOPE = 'openid email profile';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A refusal decided by Hygie itself (the provider answered properly, but not acceptably). */
export class OidcRefused extends Error {
  constructor(
    public readonly reason: 'state_mismatch' | 'acr_mismatch' | 'missing_subject',
    public readonly details: Record<string, string | null> = {},
  ) {
    super(`OIDC login refused: ${reason}`);
    this.name = 'OidcRefused';
  }
}

/**
 * What may be written to the audit log about a failed callback: a reason and codes,
 * never a token, a code, the state or the nonce (nor the expected/actual values of a claim).
 */
export function describeOidcFailure(err: unknown): Record<string, string> {
  if (err instanceof OidcRefused) {
    const extra = Object.fromEntries(Object.entries(err.details).map(([k, v]) => [k, v ?? 'none']));
    return { reason: err.reason, ...extra };
  }
  if (err instanceof client.AuthorizationResponseError) {
    return { reason: 'provider_error', error: String(err.error).slice(0, 100) };
  }
  if (err instanceof client.ResponseBodyError) {
    return { reason: 'token_error', error: String(err.error).slice(0, 100), status: String(err.status) };
  }
  if (err instanceof client.ClientError) {
    const out: Record<string, string> = { reason: 'invalid_response', code: err.code ?? 'unknown' };
    const claim = claimOf(err);
    if (claim) out.claim = claim;
    // The library's own explanation: fixed texts naming a claim or a check, never a value.
    if (err.cause instanceof Error && err.cause.message) out.detail = err.cause.message.slice(0, 200);
    return out;
  }
  // fetch() failing (refused, reset, DNS) or the request timeout elapsing.
  if ((err instanceof TypeError && err.message === 'fetch failed') || (err instanceof Error && err.name === 'TimeoutError')) {
    return { reason: 'provider_unreachable' };
  }
  if (err instanceof TypeError) return { reason: 'invalid_response', code: (err as { code?: string }).code ?? 'type_error' };
  return { reason: 'unexpected_error' };
}

/** The name of the claim or attribute that failed a comparison, found in the error's causes. */
function claimOf(err: Error): string | null {
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 3 && cause && typeof cause === 'object'; depth++) {
    const c = cause as { claim?: unknown; attribute?: unknown; cause?: unknown };
    if (typeof c.claim === 'string') return c.claim;
    if (typeof c.attribute === 'string') return c.attribute;
    cause = c.cause;
  }
  return null;
}

/** Fresh random state, nonce and PKCE verifier for one login attempt. */
export function newOidcChecks(): OidcChecks {
  return { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
}

/** Plain HTTP is allowed only for a provider on this machine (tests, local development). */
function allowsHttp(issuer: URL): boolean {
  if (issuer.protocol === 'https:') return false;
  if (issuer.protocol === 'http:' && LOCAL_HOSTS.has(issuer.hostname)) return true;
  throw new Error(`OIDC_ISSUER doit être une adresse https:// (reçu ${issuer.protocol}//${issuer.host})`);
}

/** client_secret_basic unless the provider only offers client_secret_post. */
function clientAuthentication(server: client.ServerMetadata, secret: string): client.ClientAuth {
  const methods = server.token_endpoint_auth_methods_supported;
  if (!methods || methods.includes('client_secret_basic')) return client.ClientSecretBasic(secret);
  if (methods.includes('client_secret_post')) return client.ClientSecretPost(secret);
  throw new Error(`Le fournisseur OIDC n’accepte ni client_secret_basic ni client_secret_post (${methods.join(', ')})`);
}

/** Discovers the provider (at start-up) and returns the client Hygie uses for each login. */
export async function createOidcClient(config: OidcConfig, publicUrl: string, options: OidcClientOptions = {}): Promise<OidcClient> {
  const issuerUrl = new URL(config.issuer);
  const insecure = allowsHttp(issuerUrl);
  const redirectUri = `${publicUrl.replace(/\/$/, '')}${OIDC_CALLBACK_PATH}`;
  const metadata: Partial<client.ClientMetadata> = { client_secret: config.clientSecret, redirect_uris: [redirectUri], response_types: ['code'] };
  const execute = [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])];
  const discoveryOptions: client.DiscoveryRequestOptions = {
    execute,
    timeout: options.timeout ?? 10,
    ...(options.fetch ? { [client.customFetch]: options.fetch } : {}),
  };

  const discovered = await client.discovery(issuerUrl, config.clientId, metadata, undefined, discoveryOptions);
  const server = discovered.serverMetadata();
  // The discovered metadata, now with the authentication method the provider prefers.
  const configuration = new client.Configuration(server, config.clientId, metadata, clientAuthentication(server, config.clientSecret));
  configuration.timeout = discoveryOptions.timeout;
  if (options.fetch) configuration[client.customFetch] = options.fetch;
  for (const extension of execute) extension(configuration);

  return {
    issuer: server.issuer,
    redirectUri,

    async authorizationUrl(checks) {
      const url = client.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: SCOPE,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        acr_values: config.acr,
      });
      return url.href;
    },

    async callback(currentUrl, checks) {
      // openid-client checks it too; checked first here so that the audit log says so plainly.
      const state = currentUrl.searchParams.get('state');
      if (state === null || !safeEqual(state, checks.state)) throw new OidcRefused('state_mismatch');
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken?.sub) throw new OidcRefused('missing_subject');
      const acr = typeof idToken.acr === 'string' ? idToken.acr : null;
      if (acr !== config.acr) throw new OidcRefused('acr_mismatch', { acr });

      // Pro Santé Connect, like most providers, keeps the profile claims for the UserInfo
      // endpoint; openid-client checks that its `sub` is the ID token's.
      let profile: Record<string, unknown> = idToken;
      if (idToken.email === undefined && server.userinfo_endpoint) {
        profile = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
      }
      const email = typeof profile.email === 'string' && profile.email.trim() ? profile.email.trim().toLowerCase() : null;
      const fullName = [profile.given_name, profile.family_name].filter((v) => typeof v === 'string' && v).join(' ');
      const name = typeof profile.name === 'string' && profile.name ? profile.name : fullName || null;
      return {
        issuer: idToken.iss,
        subject: idToken.sub,
        email,
        emailVerified: profile.email_verified === true || profile.email_verified === 'true',
        name,
        acr,
      };
    },
  };
}
