/**
 * Nothing secret or personal in logs (design.md §11). One set of rules for every log line
 * (logger.ts applies `redactSecrets` to each one) and for the database location the banner prints.
 */

const MASK = '***';

/** Query parameters whose values are secrets wherever they appear: libpq's and ours (`?sdkKey=`). */
const SECRET_PARAMS = ['password', 'passwd', 'pass', 'sslpassword', 'sslkey', 'sdkkey', 'apikey', 'api_key', 'token', 'secret', 'code', 'state', 'nonce'];
/** `#token=` too: invitation and setup links carry their token in the fragment. */
const SECRET_PARAM = new RegExp(`([?&;#](?:${SECRET_PARAMS.join('|')})=)[^&#\\s"'\\\\]*`, 'gi');
/** Our cookies (`tp_session=…`, `tp_oidc=…`) as a Cookie or Set-Cookie header shows them. */
const SESSION_COOKIE = /\b(tp_session|tp_oidc)=[^;,\s"'\\]+/gi;
/** Secret members of a JSON text (a request body quoted in an error): `"password":"…"` and the like. */
const JSON_SECRET = /("(?:password|currentPassword|newPassword|token|csrfToken|secret|clientSecret|client_secret|id_token|access_token|code_verifier)"\s*:\s*")(?:[^"\\]|\\.)*"/gi;
/**
 * What any rule below needs, in one scan: `=` (a query parameter, a keyword/value pair, a cookie), `://`
 * (userinfo), `tp_` (our keys), or a JSON_SECRET name right before a closing quote.
 */
const ANY_RULE = /=|:\/\/|tp_|(?:assword|oken|ecret|_verifier)"/i;
/** `scheme://user:password@host`: the password in a URL's userinfo. */
const USERINFO_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"'\\]*:)[^@/?#\s"'\\]*@/gi;
/** `password=…` in a libpq keyword/value connection string (`host=… password=…`). */
const KEYWORD_PASSWORD = /((?<![?&;\w])(?:password|sslpassword)\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s"']+)/gi;
/** Our own key format (tokens.ts): a key pasted into a message is masked after its display prefix. */
const API_KEY = /\b(tp_(?:admin|sdk)_[A-Za-z0-9]{4})[A-Za-z0-9_-]+/g;

/** Masks passwords in URLs and connection strings, secret query parameters and API keys in any text. */
export function redactSecrets(text: string): string {
  // Every rule needs one of these; most lines (every request line) have none and skip the four scans.
  if (!ANY_RULE.test(text)) return text;
  return text
    .replace(USERINFO_PASSWORD, `$1${MASK}@`)
    .replace(SECRET_PARAM, `$1${MASK}`)
    .replace(KEYWORD_PASSWORD, `$1${MASK}`)
    .replace(API_KEY, `$1${MASK}`)
    .replace(SESSION_COOKIE, `$1=${MASK}`)
    .replace(JSON_SECRET, `$1${MASK}"`);
}

/** DATABASE_URL for the banner and logs: the same rules, or nothing of it when it is not a URL. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    new URL(databaseUrl);
  } catch {
    return 'postgres (unparseable URL)';
  }
  return redactSecrets(databaseUrl);
}

/**
 * The path a request log shows: the route's pattern (`/api/units/:unitId`) when a route matched, so ids
 * that are personal data (unit ids are often e-mail addresses) never reach the log; otherwise the
 * path as sent, with its secrets masked.
 */
export function loggedPath(path: string, routePattern: string | undefined): string {
  if (routePattern && routePattern !== '/*' && routePattern !== '*') return routePattern;
  return redactSecrets(path);
}
