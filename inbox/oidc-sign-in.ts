import type { SignedInUser } from './web-session';

/** What the inbox keeps (in its signed sign-in cookie) between sending a person to the provider and their return. */
export interface OidcCheck {
  state: string;
  nonce: string;
  verifier: string;
}

/** Single sign-on through an OpenID Connect provider (authorization code flow with PKCE). */
export interface OidcSignIn {
  /** The provider's name on the sign-in button. */
  label: string;
  /** Where the provider sends people back: `<public URL>/auth/callback`. */
  redirectUri: string;
  /** The provider's authorization URL for a new sign-in, and what to check on the way back. */
  start(): Promise<{ url: string; state: string; check: OidcCheck }>;
  /** Redeems the code the provider sent back: the person, or why not. */
  finish(callbackUrl: URL, check: OidcCheck): Promise<{ user: Omit<SignedInUser, 'via'> } | { error: string }>;
}
