/**
 * A real OpenID provider for the SSO tests: panva's `oidc-provider` (an OpenID-certified
 * implementation) listening on 127.0.0.1 on a free port, with one confidential client registered
 * for Touchpoint. Discovery, the authorization endpoint, PKCE, the token endpoint, signed ID tokens,
 * JWKS and UserInfo are the library's own; only the login form is ours (a plain HTML form whose
 * answer goes back through the provider's interaction API), so a test or a browser can sign in as
 * one of the listed people.
 *
 * The provider is built on its first request: the callback address (the client's redirect URI) is
 * often known only once Touchpoint listens, which is after Touchpoint must know the issuer.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import type { OidcSettings } from '../auth/settings.js';

export interface IdpPerson {
  /** The subject (`sub`), the provider's own id for the person. */
  sub: string;
  email?: string;
  /** Whether the provider vouches for the email (`email_verified`); true unless said otherwise. */
  emailVerified?: boolean;
  name?: string;
  password: string;
}

export interface OidcTestProvider {
  /** `http://127.0.0.1:<port>`: the issuer, as OIDC_ISSUER. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The Touchpoint settings for this provider (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET). */
  settings(defaultRole?: OidcSettings['defaultRole']): OidcSettings;
  /** People who can sign in (the test may add more before they do). */
  people: IdpPerson[];
  /** The authorization requests the provider received (their query parameters), in order. */
  authorizationRequests: URLSearchParams[];
  /** The token requests' grant outcomes: 'ok' or the error the provider answered (invalid_grant, …). */
  tokenOutcomes: string[];
  /** Every access token and ID token the provider issued (to look for them in Touchpoint's logs). */
  issuedTokens: string[];
  /** The provider's own logger lines (errors it reports), to show when a test fails. */
  errors: string[];
  close(): Promise<void>;
}

export interface OidcTestProviderOptions {
  /** Touchpoint's callback, `<origin>/api/auth/oidc/callback`; a function when known only later. */
  redirectUri: string | (() => string);
  people?: IdpPerson[];
  /**
   * OIDC Core 5.4: with the code flow, the claims of the `email` and `profile` scopes come from the
   * UserInfo endpoint, not the ID token (the provider's default, true). False puts them in the ID token too.
   */
  conformIdTokenClaims?: boolean;
}

export async function startOidcProvider(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
  const clientId = 'touchpoint';
  const clientSecret = randomBytes(24).toString('base64url');
  const people = [...(options.people ?? [])];
  const authorizationRequests: URLSearchParams[] = [];
  const tokenOutcomes: string[] = [];
  const errors: string[] = [];
  const issuedTokens: string[] = [];
  let provider: Provider | undefined;

  const server = http.createServer((req, res) => {
    try {
      provider ??= build();
    } catch (error) {
      errors.push(String(error));
      res.writeHead(500).end(String(error));
      return;
    }
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/auth') authorizationRequests.push(url.searchParams);
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (interaction) {
      loginForm(provider, req, res, Boolean(interaction[2])).catch((error: unknown) => {
        errors.push(String(error));
        if (!res.headersSent) res.writeHead(500).end('login form failed');
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function build(): Provider {
    const redirectUri = typeof options.redirectUri === 'function' ? options.redirectUri() : options.redirectUri;
    // A fresh signing key per provider: the ID tokens Touchpoint verifies are really signed.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const configuration: Configuration = {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          // openid-client sends a string client secret in the token request's body.
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' } as never] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      // The provider refuses an authorization request without a S256 code challenge, and a token
      // request whose verifier does not match it.
      pkce: { methods: ['S256'], required: () => true },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      conformIdTokenClaims: options.conformIdTokenClaims ?? true,
      features: { devInteractions: { enabled: false } },
      // Lifetimes set (in seconds), short as a test needs, and the provider's notices about defaults silent.
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const person = people.find((p) => p.sub === sub);
        if (!person) return undefined;
        return {
          accountId: sub,
          claims: () => ({
            sub,
            ...(person.email !== undefined && { email: person.email, email_verified: person.emailVerified ?? true }),
            ...(person.name !== undefined && { name: person.name }),
          }),
        };
      },
      renderError: (ctx, out, error) => {
        errors.push(`${out.error}: ${out.error_description ?? ''} (${String(error)})`);
        ctx.type = 'html';
        ctx.body = `<!doctype html><title>Provider error</title><h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description ?? '')}</p>`;
      },
    };
    const built = new Provider(issuer, configuration);
    built.on('grant.success', (ctx) => {
      tokenOutcomes.push('ok');
      const body = ctx.body as { access_token?: string; id_token?: string };
      for (const token of [body.access_token, body.id_token]) if (token) issuedTokens.push(token);
    });
    built.on('grant.error', (_ctx, error: { error?: string }) => tokenOutcomes.push(error.error ?? String(error)));
    built.on('server_error', (_ctx, error) => errors.push(`server_error: ${String(error)}`));
    return built;
  }

  /** Our login form: GET shows it, POST checks the person and hands the result to the provider. */
  async function loginForm(op: Provider, req: http.IncomingMessage, res: http.ServerResponse, submitted: boolean) {
    const details = await op.interactionDetails(req, res);
    if (!submitted || req.method !== 'POST') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(formPage(details.uid));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const person = people.find((p) => p.email === form.get('email') && p.password === form.get('password'));
    if (!person) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(formPage(details.uid, 'Wrong email or password.'));
      return;
    }
    // The person consents to what Touchpoint asked for (a first-party client: no consent screen).
    const grant = new op.Grant({ accountId: person.sub, clientId });
    const scope = typeof details.params.scope === 'string' ? details.params.scope : 'openid';
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    await op.interactionFinished(req, res, { login: { accountId: person.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    settings: (defaultRole = 'viewer') => ({ issuer, clientId, clientSecret, defaultRole, allowInsecureIssuer: true }),
    people,
    authorizationRequests,
    tokenOutcomes,
    issuedTokens,
    errors,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function formPage(uid: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body>
  <h1>Test identity provider</h1>
  ${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/interaction/${encodeURIComponent(uid)}/login">
    <label>Email <input name="email" type="email" autocomplete="username"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password"></label>
    <button type="submit">Sign in</button>
  </form>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * What a browser does between Touchpoint's redirect and the provider's answer, for tests without
 * one: follows the provider's redirects with its cookies, fills in the login form, and returns the
 * address the provider finally sends the browser to (Touchpoint's callback, with code and state).
 */
export async function signInAtProvider(authorizationUrl: string, email: string, password: string): Promise<URL> {
  const jar = new Map<string, string>();
  const issuerOrigin = new URL(authorizationUrl).origin;
  const request = async (url: URL, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value = ''] = pair!.split('=');
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(a));
      if (expired || value === '') jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
    }
    return res;
  };
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    if (url.origin !== issuerOrigin) return url;
    let res = await request(url);
    if (/^\/interaction\/[\w-]+$/.test(url.pathname) && res.status === 200) {
      await res.text();
      res = await request(new URL(`${url.pathname}/login`, url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, password }).toString(),
      });
      if (res.status === 200) throw new Error(`the provider refused the sign-in: ${await res.text()}`);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the provider');
}
