import { DEFAULT_SESSION_POLICY, type SessionPolicy } from './sessions.js';
import type { Role } from '../db/schema.js';

/** OpenID Connect sign-in (auth/oidc.ts), configured by OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The role of people who sign in with SSO for the first time (OIDC_DEFAULT_ROLE, viewer by default). */
  defaultRole: Role;
  /** Only for tests against a provider on http://127.0.0.1: allow a plain-http issuer. */
  allowInsecureIssuer?: boolean;
}

/** Team access settings (design.md §9); createApp fills the defaults. */
export interface AccessSettings {
  sessions: SessionPolicy;
  /** COOKIE_SECURE=1: the session cookie is Secure even when the request looks like plain http. */
  cookieSecure: boolean;
  /** PUBLIC_URL: the address people open the dashboard at, for invitation links and the SSO callback; else the request's own origin. */
  publicUrl?: string | undefined;
  oidc?: OidcSettings | undefined;
}

export const DEFAULT_ACCESS: AccessSettings = { sessions: DEFAULT_SESSION_POLICY, cookieSecure: false };
