import { Hono } from 'hono';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import { baseUrl } from '../users/routes.js';
import { findUser, insertUser, toUser } from '../users/repository.js';
import { isSecureRequest, setSessionCookie } from './cookies.js';
import { createSession } from './sessions.js';
import { DEFAULT_ACCESS, type OidcSettings } from './settings.js';
import { digest, newSecret } from './tokens.js';

/** Binds the provider's answer to the browser that asked: the flow id, HttpOnly, for 10 minutes. */
const FLOW_COOKIE = 'tp_oidc';
const FLOW_TTL_MS = 10 * 60_000;

/**
 * Sign in with SSO (design.md §9): OpenID Connect authorization code flow with PKCE, through panva's
 * openid-client, which checks the ID token (signature, issuer, audience, expiry), the state and the
 * nonce. Between the redirect and the answer, the flow's state, nonce and PKCE verifier wait in the
 * database (any instance may receive the answer), keyed by the digest of a secret only the browser's
 * cookie holds; each flow is used once.
 */
export function oidcRoutes(deps: AppDeps) {
  const settings = (deps.access ?? DEFAULT_ACCESS).oidc;
  const hops = deps.rateLimits?.trustedProxyHops ?? 0;
  const secure = (c: Context) => isSecureRequest(c, (deps.access ?? DEFAULT_ACCESS).cookieSecure, hops);
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (oidc: OidcSettings) =>
    (discovered ??= client
      .discovery(new URL(oidc.issuer), oidc.clientId, oidc.clientSecret, undefined, oidc.allowInsecureIssuer ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((error: unknown) => {
        // Try again on the next sign-in: the provider may be back.
        discovered = undefined;
        deps.logger.warn('OIDC discovery failed', { issuer: oidc.issuer, error: String(error) });
        throw new ProblemError('service-unavailable', 'The identity provider cannot be reached; try again shortly.', { headers: { 'Retry-After': '5' } });
      }));
  const configured = (): OidcSettings => {
    if (!settings) throw new ProblemError('not-found', 'SSO is not configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET).');
    return settings;
  };
  const callbackUrl = (c: Context) => `${baseUrl(c, deps.access?.publicUrl)}/api/auth/oidc/callback`;

  return new Hono<AppEnv>()
    .get('/start', access('public'), async (c) => {
      const config = await configuration(configured());
      const now = deps.now();
      const verifier = client.randomPKCECodeVerifier();
      const flow = { state: client.randomState(), nonce: client.randomNonce(), secret: newSecret() };
      await deps.db.deleteFrom('oidc_flows').where('expires_at', '<', now).execute();
      await deps.db
        .insertInto('oidc_flows')
        .values({ id_hash: digest(flow.secret), state: flow.state, nonce: flow.nonce, code_verifier: verifier, expires_at: new Date(now.getTime() + FLOW_TTL_MS) })
        .execute();
      setCookie(c, FLOW_COOKIE, flow.secret, { httpOnly: true, sameSite: 'Lax', path: '/api/auth/oidc', secure: secure(c), maxAge: FLOW_TTL_MS / 1000 });
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl(c),
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return c.redirect(url.href, 302);
    })
    .get('/callback', access('public'), async (c) => {
      const oidc = configured();
      const config = await configuration(oidc);
      const now = deps.now();
      const fail = (reason: string) => c.redirect(`/sign-in?sso_error=${encodeURIComponent(reason)}`, 302);
      const flowSecret = getCookie(c, FLOW_COOKIE);
      deleteCookie(c, FLOW_COOKIE, { path: '/api/auth/oidc', httpOnly: true, sameSite: 'Lax', secure: secure(c) });
      if (!flowSecret) return fail('This sign-in was not started in this browser, or took more than 10 minutes; try again.');
      const flow = await deps.db.deleteFrom('oidc_flows').where('id_hash', '=', digest(flowSecret)).where('expires_at', '>', now).returningAll().executeTakeFirst();
      if (!flow) return fail('This sign-in has expired or was already used; try again.');
      let claims: Claims;
      try {
        // The answer's parameters, read against the registered callback address (behind a proxy the
        // request's own URL may differ).
        const current = new URL(callbackUrl(c));
        current.search = new URL(c.req.url).search;
        const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.code_verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
        const idToken = tokens.claims()!;
        claims = idToken;
        // OIDC Core 5.4: with the code flow a provider may put the email and profile claims only in
        // its UserInfo answer (oidc-provider does by default); openid-client checks that it names the
        // same subject as the ID token.
        if ((typeof idToken.email !== 'string' || typeof idToken.name !== 'string') && config.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
          // What the ID token says wins; UserInfo fills in what it left out.
          claims = { ...info, ...idToken };
        }
      } catch (error) {
        deps.logger.warn('SSO sign-in refused', { requestId: c.get('requestId'), ...refusal(error) });
        return fail('The identity provider refused the sign-in, or its answer could not be verified.');
      }
      const user = await userFor(deps, oidc, claims, now, c.get('requestId') ?? null);
      if (typeof user === 'string') return fail(user);
      const session = await createSession(deps.db, user.id, now, (deps.access ?? DEFAULT_ACCESS).sessions);
      setSessionCookie(c, session.secret, session.expiresAt, now, secure(c));
      return c.redirect('/', 302);
    });
}

/**
 * Why openid-client refused an answer, for the operator: its error and code, the messages of its
 * causes (e.g. 'unexpected ID Token "nonce" claim value') and the name of a claim that did not
 * match; never the values (codes, tokens, nonces), which the causes also carry.
 */
function refusal(error: unknown): { error: string; code?: string; claim?: string } {
  if (!(error instanceof Error)) return { error: String(error) };
  const messages: string[] = [];
  let claim: string | undefined;
  for (let at: unknown = error, depth = 0; at && depth < 4; at = (at as { cause?: unknown }).cause, depth++) {
    if (at instanceof Error) messages.push(depth === 0 ? `${at.name}: ${at.message}` : at.message);
    const named = (at as { claim?: unknown }).claim;
    if (typeof named === 'string') claim ??= named;
  }
  const code = (error as { code?: unknown }).code;
  return { error: messages.join(' <- '), ...(typeof code === 'string' && { code }), ...(claim && { claim }) };
}

/** The claims a sign-in reads: the ID token's, completed by UserInfo's. */
type Claims = { iss: string; sub: string; email?: unknown; email_verified?: unknown; name?: unknown };

/**
 * The person an ID token names: known by issuer and subject; else an existing user with the same
 * verified email (an invited colleague signing in with SSO) is linked; else a new user with
 * OIDC_DEFAULT_ROLE, unless the provider says the email is not verified. A string is the reason to refuse.
 */
async function userFor(deps: AppDeps, oidc: OidcSettings, claims: Claims, now: Date, requestId: string | null) {
  const issuer = claims.iss;
  const subject = claims.sub;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : (email ?? subject);
  return deps.db.transaction().execute(async (trx) => {
    let row = await trx.selectFrom('users').selectAll().where('oidc_issuer', '=', issuer).where('oidc_subject', '=', subject).executeTakeFirst();
    if (!row && email && claims.email_verified === true) {
      const linked = await trx.updateTable('users').set({ oidc_issuer: issuer, oidc_subject: subject, updated_at: now }).where('email', '=', email).where('oidc_subject', 'is', null).returning('id').executeTakeFirst();
      if (linked) row = await findUser(trx, linked.id);
    }
    if (row) return row.disabled_at ? 'Your account is disabled; ask an admin.' : toUser(row);
    if (!email) return 'The identity provider did not share an email address (scope "email").';
    // A new account takes its email as its name in the audit and in invitations: one the provider says
    // it has not verified could be anyone's. (A provider that sends no email_verified claim is trusted.)
    if (claims.email_verified === false) return 'The identity provider has not verified your email address; verify it there, or ask an admin for an invitation.';
    const created = await insertUser(trx, { keyId: null, requestId, who: null }, { email, name, role: oidc.defaultRole, oidc: { issuer, subject } }, now);
    return created ?? 'A user with this email exists but it is not verified by the identity provider; ask an admin.';
  });
}
