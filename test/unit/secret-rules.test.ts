// What counts as a credential, rule by rule (src/util/secrets.ts): each name pattern, container key, header form,
// line form and exception, with a case on each side. The end-to-end canary tests (secrets.test.ts) show that
// collected secrets never reach an output; these show that each way of recognising one works on its own, so a
// mutation of any single rule fails a test (npm run mutation).
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import type { FileKind } from '../../src/discover/classify.js';
import { collectSecrets, headerValueSecrets, isSecretName, redact } from '../../src/util/secrets.js';
import { workspaceOf } from '../helpers/setup-workspace.js';

describe('isSecretName', () => {
  it.each([
    'ANTHROPIC_API_KEY',
    'MY_TOKEN',
    'GITHUB_TOKENS',
    'CLIENT_SECRET',
    'APP_SECRETS',
    'GF_SECURITY_ADMIN_PASSWORD',
    'DB_PASSWD',
    'MYSQL_PWD',
    'GOOGLE_CREDENTIAL',
    'AWS_CREDENTIALS',
    'AUTHORIZATION',
    'DD_APIKEY',
    'basicAuthPassword',
    'bearer_token',
    'apiKey',
    'basic_auth.password',
    'PROXY_AUTH',
    'secureJsonData.token',
    'key_pem',
    'tls.key_pem',
  ])('%s names a credential', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    ['KEY', 'KEY alone is no credential (a word before it is needed: API_KEY)'],
    ['KEYBOARD_LAYOUT', 'KEY only as a whole word'],
    ['key_file', 'the path of the private key, not the key'],
    ['cert_pem', 'a certificate is public'],
    ['password_file', 'where it is, not what'],
    ['TOKEN_PATH', ''],
    ['SECRETS_DIR', ''],
    ['token_url', ''],
    ['AUTH_URI', ''],
    ['OAUTH_ENDPOINT', ''],
    ['AUTH_TYPE', ''],
    ['AUTH_SCHEME', ''],
    ['TOKEN_ENABLED', ''],
    ['apiKeyHelper', ''],
    ['TOKEN_REFRESH_MS', ''],
    ['TOKEN_TTL', ''],
    ['SECRET_NAME', ''],
    ['OTEL_LOG_USER_PROMPTS', 'Claude Code switches, not credentials'],
    ['OTEL_LOG_TOOL_DETAILS', ''],
    ['AUTH_MODE', 'AUTH only as the last word'],
    ['_KEY', 'KEY needs a word before it, not an empty one'],
    ['MAXTOKENS', 'a secret word only as a whole word'],
    ['PASSWORDLESS', ''],
    ['OTEL_LOG_TOKENS', "Claude Code's OTEL_LOG_* switches (log tokens, log prompts) name no credential"],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', ''],
    ['___', 'no words'],
    ['', ''],
  ])('%s does not (%s)', (name) => expect(isSecretName(name)).toBe(false));

  it('OTEL_LOG_ only as the prefix; the last-word exceptions only as whole words', () => {
    expect(isSecretName('MY_OTEL_LOG_TOKEN')).toBe(true);
    expect(isSecretName('API_KEY_SHORTNAME')).toBe(true);
    expect(isSecretName('GITHUB_TOKEN_URLENCODED')).toBe(true);
  });

  it('splits camelCase words, digits included', () => {
    expect(isSecretName('grafanaApiToken')).toBe(true);
    expect(isSecretName('s3Password')).toBe(true);
    expect(isSecretName('tokenizer')).toBe(false);
  });
});

describe('headerValueSecrets', () => {
  it.each([
    ['Bearer abc123', ['Bearer abc123', 'abc123']],
    ['Basic dXNlcjpwdw==', ['Basic dXNlcjpwdw==', 'dXNlcjpwdw==']],
    ['Token t0k3n', ['Token t0k3n', 't0k3n']],
    ['ApiKey k3yv4l', ['ApiKey k3yv4l', 'k3yv4l']],
    ['Api-Key k3yv4l', ['Api-Key k3yv4l', 'k3yv4l']],
    ['Digest d1g3st', ['Digest d1g3st', 'd1g3st']],
    ['Negotiate n3g0', ['Negotiate n3g0', 'n3g0']],
    ['bearer%20url3nc', ['bearer%20url3nc', 'url3nc']],
    ['  s3cr3t  ', ['s3cr3t', 's3cr3t']],
    ['Bearerx', ['Bearerx', 'Bearerx']],
    ['Bearer   sp4ces', ['Bearer   sp4ces', 'sp4ces']],
    ['id Bearer x9z', ['id Bearer x9z', 'id Bearer x9z']],
  ])('%s → %j', (value, expected) => expect(headerValueSecrets(value)).toEqual(expected));

  it('leaves out what is too short or trivial to be a credential', () => {
    expect(headerValueSecrets('Bearer ab')).toEqual(['Bearer ab']);
    expect(headerValueSecrets('ab')).toEqual([]);
    expect(headerValueSecrets('abc')).toEqual(['abc', 'abc']);
    expect(headerValueSecrets('true')).toEqual([]);
    expect(headerValueSecrets('8080')).toEqual([]);
  });
});

/** A workspace from Claude Code settings env, and stack files by kind. */
function ws(env: Record<string, string>, files: [FileKind, string, string][] = []): Workspace {
  const stackFiles: StackFile[] = files.map(([kind, path, text]) => ({ kind, source: new SourceFile(path, text) }));
  return { ...workspaceOf({ user: { env } }), mode: 'files', stackFiles, stack: buildStack(stackFiles) };
}
const secrets = (env: Record<string, string>, files: [FileKind, string, string][] = []) => [...collectSecrets([ws(env, files)])].sort();

describe('collectSecrets: Claude Code settings', () => {
  it('values of secret names; others are no credential', () => {
    expect(secrets({ MY_API_TOKEN: 'tok-value', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual(['tok-value']);
  });

  it('every *_HEADERS entry: key=value, key: value (malformed), or a bare token; the auth scheme dropped', () => {
    expect(secrets({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer b34rer,x-key=v4lue1' })).toEqual(['b34rer', 'v4lue1']);
    expect(secrets({ OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'Authorization: Basic c0l0nform' })).toEqual(['c0l0nform']);
    expect(secrets({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'b4retoken' })).toEqual(['b4retoken']);
    // `=` decides before `:` (a value may hold a colon).
    expect(secrets({ OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a:b:c0l0ns' })).toEqual(['a:b:c0l0ns']);
    // An entry without a name: the value after `=` or `:` is still the credential.
    expect(secrets({ OTEL_EXPORTER_OTLP_HEADERS: '=n0name1,:n0name2' })).toEqual(['n0name1', 'n0name2']);
    // Only *_HEADERS at the end of the name is a header list.
    expect(secrets({ OTEL_EXPORTER_OTLP_HEADERS_NOTE: 'x-key=n0theader' })).toEqual([]);
  });

  it('a value is stripped of spaces and quotes; short, trivial and reference values are not collected', () => {
    expect(secrets({ A_TOKEN: '  "qu0ted"  ' })).toEqual(['qu0ted']);
    expect(secrets({ B_TOKEN: "'s1ngle'" })).toEqual(['s1ngle']);
    for (const v of ['ab', 'true', 'False', 'yes', 'NO', 'on', 'off', 'null', 'None', '42', '3.14', '${GRAFANA_TOKEN}', '$TOKEN', '${A:-b}']) {
      expect(secrets({ C_TOKEN: v }), v).toEqual([]);
    }
    // Near misses of those exceptions are credentials.
    for (const v of ['abc', 'truee', '1.2.3', '$TOKEN-x', 'x${TOKEN}', 'on1']) expect(secrets({ C_TOKEN: v }), v).toEqual([v]);
  });
});

describe('collectSecrets: stack files', () => {
  const yaml = (kind: FileKind, text: string) =>
    secrets({}, [
      [kind, kind === 'compose' ? '/repo/docker-compose.yml' : kind === 'prometheus' ? '/repo/prometheus.yml' : '/repo/otel-collector-config.yml', text],
    ]);

  it('every string under headers, http_headers, secure json data and htpasswd, at any depth and in lists', () => {
    expect(yaml('collector', 'exporters:\n  otlphttp:\n    headers:\n      x-a: h34der\n      x-b:\n        - l1sted\n')).toEqual(['h34der', 'l1sted']);
    expect(yaml('prometheus', 'scrape_configs:\n  - job_name: a\n    http_headers:\n      X-Key:\n        values: [pr0mhdr]\n')).toEqual(['pr0mhdr']);
    expect(
      yaml(
        'collector',
        'x:\n  secure_json_data:\n    anything: s3cure1\n  secureJsonData:\n    anything: s3cure2\n  securejsondata:\n    anything: s3cure3\n  htpasswd: "user:$$apr1$$hash3d"\n',
      ),
    ).toEqual(['s3cure1', 's3cure2', 's3cure3', 'user:$$apr1$$hash3d']);
    // Only those keys, whole: not every key that contains one.
    expect(
      yaml('collector', 'x:\n  response_headers:\n    a: n0tsecret1\n  htpasswd_file: /etc/nginx/htpasswd\n  headers_setter:\n    b: n0tsecret2\n'),
    ).toEqual([]);
    // Header values lose their auth scheme too.
    expect(yaml('collector', 'exporters:\n  otlphttp:\n    headers:\n      Authorization: Bearer sch3me\n')).toEqual(['sch3me']);
  });

  it('values of secret-named keys, whole lists under them; other keys (and empty values) are not credentials', () => {
    expect(
      yaml('prometheus', 'scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: admin\n      password: pr0mpw\n    bearer_token: b34r\n'),
    ).toEqual(['b34r', 'pr0mpw']);
    expect(yaml('collector', 'extensions:\n  x:\n    tokens: [t0k3n1, t0k3n2]\n    empty:\n    password:\n    port: 8080\n')).toEqual(['t0k3n1', 't0k3n2']);
  });

  it('compose environment as a list (NAME=value) and as a map', () => {
    expect(
      yaml(
        'compose',
        'services:\n  g:\n    image: grafana/grafana\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=l1stpw\n      - GF_SERVER_ROOT_URL=http://x\n      - =n0name\n',
      ),
    ).toEqual(['l1stpw']);
    expect(yaml('compose', 'services:\n  g:\n    image: grafana/grafana\n    environment:\n      GF_SECURITY_ADMIN_PASSWORD: m4ppw\n')).toEqual(['m4ppw']);
    // A file that is a list at the top, as an env_file-like YAML list.
    expect(yaml('compose', '- GF_SECURITY_ADMIN_PASSWORD=t0pl1st\n- plain\n')).toEqual(['t0pl1st']);
    // NAME=value only at the start of the item.
    expect(yaml('compose', 'services:\n  g:\n    image: grafana/grafana\n    command:\n      - "echo MY_TOKEN=n0tst4rt"\n')).toEqual([]);
    // A multi-line value after NAME= is one value.
    expect(yaml('compose', 'services:\n  g:\n    image: grafana/grafana\n    environment:\n      - "MY_TOKEN=l1ne1\\nl1ne2"\n')).toEqual(['l1ne1\nl1ne2']);
  });

  it('a file that does not parse: what it still holds (flow maps too), and line by line', () => {
    expect(
      yaml('collector', 'exporters:\n  otlphttp:\n    api_key: br0ken1\n  bad: [\n  "password": "br0ken2"\n  - export SOME_TOKEN=br0ken3 # note\n'),
    ).toEqual(expect.arrayContaining(['br0ken1', 'br0ken2', 'br0ken3']));
    expect(yaml('collector', 'exporters:\n  otlphttp:\n    headers: {x-api: fl0wv4l}\n  bad: [\n')).toEqual(['fl0wv4l']);
    expect(yaml('compose', 'services:\n  g:\n    environment:\n      -   GF_SECURITY_ADMIN_PASSWORD=sp4ces1\n  bad: [\n')).toEqual(
      expect.arrayContaining(['sp4ces1']),
    );
  });

  it('.env files: NAME=value, export NAME="value", quotes and trailing comments dropped; other names not', () => {
    const env = (text: string) => secrets({}, [['env-file', '/repo/.env', text]]);
    expect(env('GRAFANA_ADMIN_PASSWORD=d0tenv\nCOMPOSE_PROJECT_NAME=claude\n')).toEqual(['d0tenv']);
    expect(env('export API_TOKEN="exp0rted"\n')).toEqual(['exp0rted']);
    expect(env('export   API_TOKEN=sp4ced2\n')).toEqual(['sp4ced2']);
    expect(env('-   GF_SECURITY_ADMIN_PASSWORD=sp4ced3\n')).toEqual(['sp4ced3']); // a YAML list line in a broken file
    expect(env('D_TOKEN=""tw1ce""\n')).toEqual(['tw1ce']);
    // Quotes only when they enclose the whole value (a stray one at either end is dropped).
    expect(env('A_TOKEN=pa"ss"\nB_TOKEN="ab"cd\nC_TOKEN=xs3cx\n')).toEqual(['ab"cd', 'pa"ss', 'xs3cx']);
    expect(env("  DB_PASSWORD = 'sp4ced'  \n")).toEqual(['sp4ced']);
    expect(env('MY_SECRET=c0mment3d # rotated monthly\n')).toEqual(['c0mment3d']);
    expect(env('"QUOTED_TOKEN"=qk3y\n')).toEqual(['qk3y']);
    expect(env('# MY_TOKEN=c0mmentline\nMY_TOKEN\n')).toEqual([]);
  });

  it('a broken file with an alias bomb: nothing expanded, the lines still read', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
      'password: b0mbpw',
      'bad: [',
    ].join('\n');
    const started = Date.now();
    expect(yaml('collector', `${bomb}\n`)).toEqual(['b0mbpw']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('every depth the loader reads (63 levels: 64 is refused), and deeper files line by line', () => {
    const deep = (n: number) => `${Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')}\n${'  '.repeat(n)}password: d33p${n}\n`;
    expect(yaml('collector', deep(63))).toEqual(['d33p63']);
    expect(yaml('collector', deep(70))).toEqual(['d33p70']);
  });
});

describe('redact', () => {
  it('masks the longest secret first, so one holding another is masked whole', () => {
    expect(redact('token abcdef and abc', new Set(['abc', 'abcdef']))).toBe('token **** and ****');
    expect(redact('token abcdef and abc', new Set(['abcdef', 'abc']))).toBe('token **** and ****');
  });

  it("masks a URL's password or lone token, keeping the user and host", () => {
    expect(redact('http://user:pw@host/x', new Set())).toBe('http://user:****@host/x');
    expect(redact('git+ssh://t0ken@host', new Set())).toBe('git+ssh://****@host');
    expect(redact('not a url: user:pw@host', new Set())).toBe('not a url: user:pw@host');
    expect(redact('HTTPS://U:P@h', new Set())).toBe('HTTPS://U:****@h');
    expect(redact('"http://a:b@h" and `http://c:d@h`', new Set())).toBe('"http://a:****@h" and `http://c:****@h`');
    expect(redact('http://h/path?q=a@b', new Set())).toBe('http://h/path?q=a@b');
    expect(redact('redis://:p4ss@host', new Set())).toBe('redis://:****@host');
  });
});
