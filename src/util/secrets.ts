/**
 * What is a credential: the one place that judges names and values (the advisory rules, the fixer's refusal to
 * write secrets into shared files, `init --enterprise`) and masks them in output (`redact`, `displayUrl`).
 */

/** Authorization schemes written before a token: `Bearer abc` is the scheme `Bearer` and the secret `abc`. */
const AUTH_SCHEMES = 'Bearer|Basic|Token|ApiKey|Api-Key|Digest|Negotiate|Splunk|GenieKey';
const AUTH_SCHEME = new RegExp(`^(${AUTH_SCHEMES})(\\s+|%20)`, 'i');
/** A value that starts with an auth scheme word (`Bearer…`, even before a `%20`): a header value, not a password. */
export const STARTS_WITH_AUTH_SCHEME = new RegExp(`^(${AUTH_SCHEMES})\\b`, 'i');

/** A word of a name that says its value is a credential (`GF_SECURITY_ADMIN_PASSWORD`, `bearer_token`, `basicAuthPassword`). */
const SECRET_WORD = /^(TOKENS?|SECRETS?|PASSWORD|PASSWD|PWD|PASSPHRASE|CREDENTIALS?|AUTHORIZATION|APIKEY)$/;
/** A last word that says the value is about a credential but not one (`password_file`, `token_url`, `apiKeyHelper`). */
const NOT_THE_VALUE = /^(FILE|PATH|DIR|URL|URI|ENDPOINT|TYPE|SCHEME|ENABLED|HELPER|MS|TTL|NAME)$/;
/** Keys whose every string value below is a credential: header values, Grafana's secure data, htpasswd lines. */
const SECRET_CONTAINER = /^(headers|http_headers|secure_?json_?data|htpasswd)$/i;
/** Values that cannot be a credential; masking them would mask ports, line numbers and flags everywhere. */
const TRIVIAL = /^(true|false|yes|no|on|off|null|none|\d+(\.\d+)?)$/i;
/**
 * Header names whose value is typically a credential. Broader than `isSecretName`: a header exists to be sent to a
 * server, and any `auth` or `key` in its name is usually exactly that (`x-auth-header`, `key`, `cookie`).
 */
const CREDENTIAL_HEADER = /authori[sz]ation|auth|token|api-?key|apikey|secret|passw(or)?d|cookie|credential|(^|[-_])key$|^x-honeycomb-team$/i;

/** What some word of SECRET_WORD, `KEY` or `AUTH` contains: a name without any of these is no secret name. */
const MAY_BE_SECRET = /TOKEN|SECRET|PASS|PWD|CREDENTIAL|AUTH|KEY/;

/** Whether a variable or key name says its value is a credential: `ANTHROPIC_API_KEY`, `MY_TOKEN`, `basic_auth.password`. */
export function isSecretName(name: string): boolean {
  // Every word that can make a name secret holds one of these (in the name's upper case, which the words are cut
  // from): most names hold none and are answered without cutting them into words.
  if (!MAY_BE_SECRET.test(name.toUpperCase())) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]/)
    .filter(Boolean);
  // Stryker disable next-line ConditionalExpression: without it no word is secret either; it says so plainly
  if (words.length === 0 || NOT_THE_VALUE.test(words[words.length - 1]) || name.startsWith('OTEL_LOG_')) return false;
  // KEY needs a word before it (API_KEY), or PEM after it: a collector's tls `key_pem` holds the private key itself.
  return words.some((w, i) => SECRET_WORD.test(w) || (w === 'KEY' && (i > 0 || words[i + 1] === 'PEM')) || (w === 'AUTH' && i === words.length - 1));
}

/**
 * What `collectSecrets` reads of a workspace (model/workspace.ts), by shape: util/ is the lowest layer and imports
 * nothing above it. The settings and shell variables, every YAML file of the stack, and the stack's other files.
 */
export interface SecretSources {
  claude: { settings: readonly { name: string; value: string }[] };
  stack: {
    yaml: { values(): Iterable<{ value: unknown; doc: { toJS(opts?: object): unknown }; problems: readonly unknown[]; source: { text: string } }> };
    files: readonly { kind: string; source: { text: string } }[];
  };
}

/**
 * A variable whose value a message must not show: a header list, a secret name, or any name that mentions auth,
 * credentials or a passphrase. Cautious on purpose: hiding a value that was harmless costs nothing.
 */
export function mayHoldSecret(name: string): boolean {
  return /_HEADERS$/.test(name) || isSecretName(name) || /AUTH|CREDENTIAL|PASSPHRASE/.test(name);
}

/** A header whose value is typically a credential: Authorization, api-key, x-api-key, *-token, x-honeycomb-team, … */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name.trim());
}

/** A value that is written out literally, as opposed to a placeholder, a reference, a file path, a number or a flag. */
export function isLiteralSecret(value: string, minLength = 6): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v.length < minLength) return false;
  if (/^-?\d+(\.\d+)?$/.test(v) || /^(true|false|yes|no|on|off|none|null)$/i.test(v)) return false;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) || /^\$\(.*\)$/.test(v)) return false; // $VAR, ${VAR}, $(cmd): not expanded by Claude Code, but not a secret either
  if (/^<[^>]*>$/.test(v) || /^\*+$/.test(v) || /^x{4,}$/i.test(v)) return false;
  if (/^(your|my)[-_ ]|changeme|change[-_]me|placeholder|redacted|replace[-_ ]?me|example/i.test(v)) return false;
  if (/^(\/|~\/|\.\.?\/|[A-Za-z]:[\\/])/.test(v)) return false; // a path to a key file, not the key
  return true;
}

/** An Anthropic API key, recognised by its prefix whatever the variable is called. */
export function isAnthropicKey(value: string): boolean {
  return /^sk-ant-/.test(value.trim());
}

/** A header value split into its auth scheme (`Bearer`, without the space) and the token after it. */
export function splitAuthScheme(value: string): { scheme?: string; token: string } {
  const m = AUTH_SCHEME.exec(value);
  return m ? { scheme: m[1], token: value.slice(m[0].length) } : { token: value };
}

/**
 * Every string in a workspace that could be a credential, for `redact`: header values (without their auth scheme,
 * so `Authorization=Bearer abc` prints as `Authorization=Bearer ****`) and values of secret-looking names, in
 * Claude Code settings and the shell, in every YAML file of the stack (collector `headers:` and auth extensions,
 * Prometheus `basic_auth`/`authorization`, Grafana `secureJsonData` and passwords, compose `environment`), and in
 * `.env` files. User-info in URLs is masked by `redact` wherever it appears, collected or not.
 */
export function collectSecrets(workspaces: readonly SecretSources[]): Set<string> {
  const secrets = new Set<string>();
  const add = (v: string) => {
    const t = v.trim().replace(/^["']|["']$/g, '');
    // A reference (`${GRAFANA_PASSWORD:?set it}`, `$TOKEN`) names where a credential is, and is no credential.
    if (t.length >= 3 && !TRIVIAL.test(t) && !/^\$(\{[^}]*\}|\w+)$/.test(t)) secrets.add(t);
  };
  const addHeaderValue = (v: string) => add(splitAuthScheme(v.trim()).token);
  for (const ws of workspaces) {
    for (const s of ws.claude.settings) {
      if (/_HEADERS$/.test(s.name)) {
        for (const part of s.value.split(',')) {
          const eq = part.indexOf('=');
          // A malformed entry still holds a credential: `Authorization: Bearer abc` (colon form) or a bare token.
          const colon = part.indexOf(':');
          // Stryker disable next-line ConditionalExpression: slice(colon + 1) is the whole part too when there is no colon
          addHeaderValue(eq >= 0 ? part.slice(eq + 1) : colon >= 0 ? part.slice(colon + 1) : part);
        }
      } else if (isSecretName(s.name)) {
        add(s.value);
      }
    }
    for (const y of ws.stack.yaml.values()) {
      walk(y.value ?? partialValue(y.doc), undefined, false, add, addHeaderValue);
      kubernetesSecretValues(y.value ?? partialValue(y.doc), add);
      // A file that does not parse is still shown, line by line, under its findings.
      if (y.problems.length > 0) scanLines(y.source.text, add);
    }
    for (const f of ws.stack.files) if (f.kind === 'env-file') scanLines(f.source.text, add);
  }
  return secrets;
}

/** A header value as a secret: whole, and without its auth scheme (a server may echo just the token). */
export function headerValueSecrets(value: string): string[] {
  const whole = value.trim();
  const token = splitAuthScheme(whole).token;
  return [whole, token].filter((v) => v.length >= 3 && !TRIVIAL.test(v));
}

/** What a YAML Document with errors still holds; nothing when even that fails. */
function partialValue(doc: { toJS(opts?: object): unknown }): unknown {
  try {
    // Stryker disable next-line ObjectLiteral: 100 is also yaml's default; the bound is written where input is untrusted
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    // More aliases than that (an alias bomb): nothing.
  }
  return undefined;
}

function walk(value: unknown, key: string | undefined, inContainer: boolean, add: (v: string) => void, addHeader: (v: string) => void, depth = 0): void {
  // A second line: the loader refuses documents nested deeper than 64 levels (NESTING_TOO_DEEP) before this.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: not reached past the loader's bound
  if (depth > 64) return;
  if (typeof value === 'string') {
    if (inContainer) addHeader(value);
    else if (key !== undefined && isSecretName(key)) add(value);
    else {
      // compose `environment:` as a list: `- GF_SECURITY_ADMIN_PASSWORD=secret`
      const m = /^([A-Za-z_][\w.-]*)=(.*)/s.exec(value);
      if (m && isSecretName(m[1])) add(m[2]);
    }
  } else if (Array.isArray(value)) {
    // Stryker disable next-line ArithmeticOperator: see the depth bound above
    for (const v of value) walk(v, key, inContainer, add, addHeader, depth + 1);
  } else if (typeof value === 'object' && value !== null) {
    // Stryker disable next-line ArithmeticOperator: see the depth bound above
    for (const [k, v] of Object.entries(value)) walk(v, k, inContainer || SECRET_CONTAINER.test(k), add, addHeader, depth + 1);
  }
}

/** Every value of a Kubernetes Secret, whatever its key is called: `stringData` as written, `data` also base64-decoded. */
function kubernetesSecretValues(value: unknown, add: (v: string) => void): void {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'Secret') return;
  const { data, stringData } = value as { data?: unknown; stringData?: unknown };
  for (const [entries, encoded] of [
    [data, true],
    [stringData, false],
  ] as const) {
    if (typeof entries !== 'object' || entries === null) continue;
    for (const v of Object.values(entries)) {
      if (typeof v !== 'string') continue;
      add(v);
      if (encoded) for (const line of Buffer.from(v, 'base64').toString('utf8').split('\n')) add(line);
    }
  }
}

/** `NAME=value`, `export NAME="value"`, `name: value` lines whose name says they hold a credential. */
function scanLines(text: string, add: (v: string) => void): void {
  for (const line of text.split('\n')) {
    const m = /^\s*(?:-\s+)?(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!m || !isSecretName(m[1])) continue;
    const unquoted = m[2].replace(/^(["'])(.*)\1$/, '$2');
    // Stryker disable next-line Regex: a comment cut at one space, or without the end anchor, leaves only spaces add() trims
    add(unquoted.replace(/\s+#.*$/, ''));
  }
}

/** `scheme://user:password@` and `scheme://token@`: the credential part of a URL's user-info. */
// Greedy up to the last @ before the host: a password may hold an unencoded @.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`<>\\]+)@/gi;

/**
 * Replaces every secret in a text with ****, longest first so a secret containing another is masked whole, and the
 * password (or lone token) of every URL's user-info. The JSON and SARIF reports mask each string before encoding it
 * (report/context.ts `bounded`), so a secret holding `"` or `\` never needs matching in its escaped form.
 */
export function redact(text: string, secrets: Set<string>, keep: readonly string[] = []): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (!out.includes(s)) continue; // the common case: nothing to mask, nothing to split
    const around = keep.filter((k) => k.includes(s));
    out = around.length === 0 ? out.split(s).join('****') : maskAround(out, s, around);
  }
  // User info ends at an `@`: a text without one has none to mask.
  if (!out.includes('@')) return out;
  return out.replace(URL_USERINFO, (_, scheme: string, info: string) => {
    const colon = info.indexOf(':');
    return `${scheme}${colon >= 0 ? `${info.slice(0, colon)}:****` : '****'}@`;
  });
}

/**
 * Masks a secret everywhere but inside the given words (the doctor's own rule ids: a header value `unknown` must not
 * turn `kubernetes/unknown-field` into `kubernetes/****-field`). Only whole words are spared, so the secret stays
 * masked wherever else it appears, even next to one.
 */
function maskAround(text: string, secret: string, words: string[]): string {
  const alternatives = words.sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  // A word, not part of a longer one (`collector/unknown-components` is no rule id).
  const pattern = new RegExp(`((?<![\\w-])(?:${alternatives.join('|')})(?![\\w-]))`);
  return text
    .split(pattern)
    .map((part, i) => (i % 2 === 1 ? part : part.split(secret).join('****')))
    .join('');
}

/** Whether a URL carries a password in its user info (https://user:pass@host). */
export function urlHasPassword(url: string): boolean {
  // The URL parser reads user info only before an `@`: without one there is none, and nothing to parse.
  return url.includes('@') && !!parsedUrl(url.trim())?.password;
}

/**
 * How a URL is shown in a message: the one place that decides it, never with its credentials. The styles differ
 * in what else they keep:
 * - `masked` (a value as the user wrote it): user info and query string replaced by ****, since either can carry a
 *   credential (`https://****@host/otlp?****`); the rest as written;
 * - `without-user-info`: user info removed (the URL re-serialised only then), query kept;
 * - `address` (an address the doctor dials): re-serialised without user info and without a lone `/` path.
 */
export function displayUrl(url: string | URL, style: 'masked' | 'without-user-info' | 'address' = 'masked'): string {
  const text = String(url);
  if (style === 'masked') {
    return text
      .trim()
      .replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@?#\s]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}****@`)
      .replace(/\?.*$/, '?****');
  }
  const u = parsedUrl(style === 'address' ? text : text.trim());
  if (!u) return style === 'address' ? text.replace(/\/\/[^/@]*@/, '//') : text.trim();
  if (style === 'without-user-info' && !u.username && !u.password) return text.trim();
  u.username = '';
  u.password = '';
  const shown = u.toString();
  return style === 'address' && u.pathname === '/' && !u.search && !u.hash ? shown.slice(0, -1) : shown;
}

function parsedUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
