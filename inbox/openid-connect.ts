import { z } from 'zod';
import { DECISION_LIMITS } from '../core/decision-statement';
import { InboxRoleSchema, InboxTenantSchema } from './local-users';
import type { OidcCheck, OidcSignIn } from './oidc-sign-in';
import type { SignedInUser } from './web-session';

/**
 * Single sign-on with an OpenID Connect provider (Keycloak, Okta, Entra ID, Google Workspace, Dex,
 * ...) through `openid-client`: the authorization code flow with PKCE, state and nonce, the ID
 * token verified against the provider's published keys. The person's identity is a claim of the ID
 * token (`email` unless configured, refused when the provider says it is not verified); the tenants
 * and roles they decide for are claims too (`keel_tenants`, `keel_roles`: lists of strings, or one
 * string separated by spaces or commas), so the provider's groups decide who sees what.
 */
export interface OidcProviderOptions {
  /** The provider's issuer URL (its discovery document is at `/.well-known/openid-configuration` below it). */
  issuer: string;
  clientId: string;
  /** For a confidential client (`client_secret_basic`); without it the client is public (PKCE only). */
  clientSecret?: string;
  /** `<public URL of the inbox>/auth/callback`, registered with the provider. */
  redirectUri: string;
  /** @default 'single sign-on' */
  label?: string;
  /** @default 'openid email profile' */
  scope?: string;
  /** @default 'email' */
  identityClaim?: string;
  /** @default 'keel_tenants' */
  tenantsClaim?: string;
  /** @default 'keel_roles' */
  rolesClaim?: string;
}

/** Discovers the provider and returns the inbox's sign-in through it. */
export async function connectOidcProvider(options: OidcProviderOptions): Promise<OidcSignIn> {
  const oidc = await import('openid-client');
  const issuer = new URL(options.issuer);
  const insecure = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  if (issuer.protocol !== 'https:' && !insecure) throw new Error(`the OpenID Connect issuer must be https:// (got ${issuer.origin})`);
  const config = await oidc.discovery(issuer, options.clientId, options.clientSecret, options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(), insecure ? { execute: [oidc.allowInsecureRequests] } : undefined);
  const claimNames = { identity: options.identityClaim ?? 'email', tenants: options.tenantsClaim ?? 'keel_tenants', roles: options.rolesClaim ?? 'keel_roles' };
  return {
    label: options.label ?? 'single sign-on',
    redirectUri: options.redirectUri,
    async start() {
      const check: OidcCheck = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: options.scope ?? 'openid email profile',
        state: check.state,
        nonce: check.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(check.verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.toString(), state: check.state, check };
    },
    async finish(callbackUrl, check) {
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: check.verifier, expectedState: check.state, expectedNonce: check.nonce, idTokenExpected: true });
        claims = tokens.claims() as Record<string, unknown> | undefined;
      } catch (error) {
        return { error: `the identity provider's answer was not accepted: ${(error as Error).message.slice(0, 300)}` };
      }
      if (!claims) return { error: 'the identity provider sent no ID token' };
      return userFromClaims(claims, claimNames);
    },
  };
}

const ListClaimSchema = z.union([z.array(z.string()), z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean))]);

/** The person an ID token names, with the tenants and roles its claims give; or why they cannot use the inbox. */
export function userFromClaims(claims: Record<string, unknown>, names: { identity: string; tenants: string; roles: string }): { user: Omit<SignedInUser, 'via'> } | { error: string } {
  const identity = claims[names.identity];
  if (typeof identity !== 'string' || !identity || identity.length > DECISION_LIMITS.identityChars || identity.startsWith('role:') || identity.startsWith('policy:')) {
    return { error: `the identity provider did not give a usable "${names.identity}" claim` };
  }
  if (names.identity === 'email' && claims.email_verified === false) return { error: 'the identity provider says this e-mail address is not verified' };
  const tenants = ListClaimSchema.safeParse(claims[names.tenants] ?? []);
  const roles = ListClaimSchema.safeParse(claims[names.roles] ?? []);
  const validTenants = (tenants.success ? tenants.data : []).filter((t) => InboxTenantSchema.safeParse(t).success).slice(0, 1000);
  const validRoles = (roles.success ? roles.data : []).filter((r) => InboxRoleSchema.safeParse(r).success).slice(0, 64);
  if (!validTenants.length) return { error: `${identity} holds no Keel tenant (claim "${names.tenants}"): ask an administrator` };
  const name = typeof claims.name === 'string' && claims.name ? claims.name.slice(0, 200) : identity;
  return { user: { identity, name, tenants: validTenants, roles: validRoles } };
}
