import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { machineWorkspace } from '../../src/workspaces.js';
import { collectSecrets, redact } from '../../src/util/secrets.js';
import { runCli, runCliAsync } from '../helpers/cli.js';

// A distinct canary per place a credential can live and per output format: masking one occurrence can never hide
// another place's leak. For each place the test knows how the output shows it once masked (`shown`), or that the
// format does not show that place at all (then only its absence is checked).
const SUPPRESS = '# claude-otel-doctor-disable-next-line x/y'; // an unused suppression: a finding on this very line, so pretty shows it

interface Place {
  /** How the masked value reads in pretty output (the line a finding shows, or a message). */
  shown?: (mask: string) => string;
  /** How it reads in the JSON report's effective environment, for settings and shell variables. */
  json?: string;
}

const PLACES: Record<string, Place> = {
  userHeaders: { json: 'OTEL_EXPORTER_OTLP_HEADERS' },
  apiKey: { json: 'ANTHROPIC_API_KEY' },
  claudeJsonHeaders: {},
  endpointUserInfo: { shown: () => 'http://collector:****@otel.example.com:4318/v1/metrics' },
  projectToken: { shown: (m) => `"MY_SERVICE_TOKEN": "${m}"` },
  projectHeaders: { shown: (m) => `"OTEL_EXPORTER_OTLP_HEADERS": "api-key=${m}"` },
  brokenLocal: { shown: (m) => `"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${m}", // prod` },
  managedHeaders: {},
  shellHeaders: {},
  shellToken: { json: 'CLAUDE_CODE_API_KEY_HELPER_TOKEN' },
  collectorHeaders: { shown: (m) => `X-Api-Key: ${m} ${SUPPRESS}` },
  bearerTokenAuth: { shown: (m) => `token: ${m} ${SUPPRESS}` },
  basicAuthExtension: { shown: (m) => `password: ${m} ${SUPPRESS}` },
  promBasicAuth: { shown: (m) => `basic_auth: { username: u, password: ${m} } ${SUPPRESS}` },
  promAuthorization: { shown: (m) => `credentials: ${m} ${SUPPRESS}` },
  promBearerToken: { shown: (m) => `bearer_token: ${m} ${SUPPRESS}` },
  grafanaSecureJsonData: { shown: (m) => `httpHeaderValue1: Bearer ${m} ${SUPPRESS}` },
  grafanaBasicAuthPassword: { shown: (m) => `basicAuthPassword: ${m} ${SUPPRESS}` },
  grafanaUrlUserInfo: { shown: () => `url: http://admin:****@prometheus:9090 ${SUPPRESS}` },
  composeList: { shown: (m) => `- GF_SECURITY_ADMIN_PASSWORD=${m} ${SUPPRESS}` },
  composeMap: { shown: (m) => `MY_API_TOKEN: ${m} ${SUPPRESS}` },
  dotEnv: {},
};
type PlaceName = keyof typeof PLACES;

const tmp = mkdtempSync(join(tmpdir(), 'cod-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A machine (home, project, managed settings, shell file, telemetry stack) with one canary per place for `tag`. */
function plant(tag: string) {
  const root = join(tmp, tag);
  const c = Object.fromEntries(Object.keys(PLACES).map((p, i) => [p, `cnry${tag}${i}x${Math.random().toString(36).slice(2, 8)}`])) as Record<PlaceName, string>;
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const env = (e: Record<string, string>) => JSON.stringify({ env: e }, null, 2);
  write(
    'home/.claude/settings.json',
    env({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.example.com:4318',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://collector:${c.endpointUserInfo}@otel.example.com:4318/v1/metrics`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${c.userHeaders}`,
      ANTHROPIC_API_KEY: c.apiKey,
    }),
  );
  write('home/.claude.json', env({ OTEL_EXPORTER_OTLP_LOGS_HEADERS: `x-honeycomb-team=${c.claudeJsonHeaders}` }));
  write('project/.claude/settings.json', env({ OTEL_EXPORTER_OTLP_HEADERS: `api-key=${c.projectHeaders}`, MY_SERVICE_TOKEN: c.projectToken }));
  write('project/.claude/settings.local.json', `{\n  "env": {\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${c.brokenLocal}", // prod\n  }\n}\n`);
  write('managed/managed-settings.json', env({ OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${c.managedHeaders}` }));
  write(
    'shell.env',
    `export OTEL_EXPORTER_OTLP_TRACES_HEADERS="Authorization=Bearer ${c.shellHeaders}"\nexport CLAUDE_CODE_API_KEY_HELPER_TOKEN=${c.shellToken}\n`,
  );
  const stack = 'home/.claude/telemetry';
  write(
    `${stack}/docker-compose.yml`,
    [
      'services:',
      '  otel-collector:',
      '    image: otel/opentelemetry-collector-contrib:0.115.1',
      '    command: ["--config=/etc/otel-collector-config.yml"]',
      '    volumes: ["./otel-collector-config.yml:/etc/otel-collector-config.yml"]',
      '    ports: ["127.0.0.1:4318:4318"]',
      '    environment:',
      `      MY_API_TOKEN: ${c.composeMap} ${SUPPRESS}`,
      '  grafana:',
      '    image: grafana/grafana:11.1.0',
      '    environment:',
      `      - GF_SECURITY_ADMIN_PASSWORD=${c.composeList} ${SUPPRESS}`,
      '',
    ].join('\n'),
  );
  write(
    `${stack}/otel-collector-config.yml`,
    [
      'extensions:',
      '  bearertokenauth:',
      `    token: ${c.bearerTokenAuth} ${SUPPRESS}`,
      '  basicauth/client:',
      '    client_auth:',
      '      username: u',
      `      password: ${c.basicAuthExtension} ${SUPPRESS}`,
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      '        endpoint: 0.0.0.0:4318',
      'exporters:',
      '  otlphttp:',
      '    endpoint: https://otlp.example.com',
      '    headers:',
      `      X-Api-Key: ${c.collectorHeaders} ${SUPPRESS}`,
      'service:',
      '  extensions: [bearertokenauth, basicauth/client]',
      '  pipelines:',
      '    metrics:',
      '      receivers: [otlp]',
      '      exporters: [otlphttp]',
      '',
    ].join('\n'),
  );
  write(
    `${stack}/prometheus.yml`,
    [
      'scrape_configs:',
      '  - job_name: a',
      `    basic_auth: { username: u, password: ${c.promBasicAuth} } ${SUPPRESS}`,
      '    static_configs: [{ targets: ["otel-collector:8889"] }]',
      '  - job_name: b',
      '    authorization:',
      `      credentials: ${c.promAuthorization} ${SUPPRESS}`,
      '    static_configs: [{ targets: ["otel-collector:8889"] }]',
      '  - job_name: c',
      `    bearer_token: ${c.promBearerToken} ${SUPPRESS}`,
      '    static_configs: [{ targets: ["otel-collector:8889"] }]',
      '',
    ].join('\n'),
  );
  write(
    `${stack}/grafana/provisioning/datasources/datasources.yml`,
    [
      'apiVersion: 1',
      'datasources:',
      '  - name: Prometheus',
      '    type: prometheus',
      '    uid: prometheus',
      `    url: http://admin:${c.grafanaUrlUserInfo}@prometheus:9090 ${SUPPRESS}`,
      '    basicAuth: true',
      `    basicAuthPassword: ${c.grafanaBasicAuthPassword} ${SUPPRESS}`,
      '    jsonData: { httpHeaderName1: Authorization }',
      '    secureJsonData:',
      `      httpHeaderValue1: Bearer ${c.grafanaSecureJsonData} ${SUPPRESS}`,
      '',
    ].join('\n'),
  );
  write(`${stack}/.env`, `GRAFANA_ADMIN_PASSWORD=${c.dotEnv}\nCOMPOSE_PROJECT_NAME=claude\n`);
  const args = [
    '--no-shell-env',
    '--claude-version',
    '2.1.197',
    '--home',
    join(root, 'home'),
    '--project',
    join(root, 'project'),
    '--managed-dir',
    join(root, 'managed'),
    '--env-file',
    join(root, 'shell.env'),
  ];
  return { root, c, args };
}

/** Each place's canary is absent from everything printed; where this output shows the place, its mask is there. */
function expectMasked(out: string, c: Record<PlaceName, string>, shows: (p: Place) => string | undefined) {
  for (const [place, canary] of Object.entries(c)) {
    expect(out, `${place} leaked`).not.toContain(canary);
    const masked = shows(PLACES[place]);
    if (masked) expect(out, `${place} not shown masked`).toContain(masked);
  }
}

describe('collectSecrets finds every place a credential lives', () => {
  it('settings, shell, collector, Prometheus, Grafana, compose and .env values, nothing trivial', () => {
    const { root, c } = plant('collect');
    const ws = machineWorkspace(
      {
        home: join(root, 'home'),
        project: join(root, 'project'),
        managedDir: join(root, 'managed'),
        envFile: join(root, 'shell.env'),
        claudeVersion: '2.1.197',
      },
      emptyConfig(root),
    );
    const secrets = collectSecrets([ws]);
    // Every place but those found only as URL user-info (masked by pattern wherever it appears).
    for (const place of Object.keys(PLACES).filter((p) => !/UserInfo$/.test(p))) {
      expect(
        [...secrets].some((s) => s.includes(c[place as PlaceName])),
        place,
      ).toBe(true);
    }
    for (const trivial of ['true', '1', '4318', 'u', 'claude', 'otlp']) expect(secrets.has(trivial), trivial).toBe(false);
  });

  it('a reference to a credential is not one; URL user-info is masked wherever it appears', () => {
    expect(redact('GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_PASSWORD:?set it}', new Set())).toContain('${GRAFANA_PASSWORD:?set it}');
    expect(redact('see https://bob:hunter2@example.com/x and ftp://ghp_abc123@host', new Set())).toBe('see https://bob:****@example.com/x and ftp://****@host');
    expect(redact('http://u:p@ss@host/', new Set())).toBe('http://u:****@host/');
  });
});

describe('secrets never reach any output', () => {
  const text = (res: { stdout: string; stderr: string }) => res.stdout + res.stderr;
  const inline = (canary: string) => ['--settings', JSON.stringify({ env: { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${canary}` } })];
  const pretty = (p: Place) => p.shown?.('****');

  it('doctor (pretty)', () => {
    const { c, args } = plant('doc');
    expectMasked(text(runCli(['--offline', ...args], { NO_COLOR: '1' })), c, pretty);
  });
  it('check pretty, with an inline --settings', () => {
    const { c, args } = plant('pre');
    const res = runCli(['check', ...args, ...inline(`${c.apiKey}inl`)], { NO_COLOR: '1' });
    expectMasked(text(res), c, pretty);
    expect(res.stdout).toContain('Authorization=Bearer ****'); // header name and scheme kept
  });
  it('check --quiet', () => {
    const { c, args } = plant('qui');
    expectMasked(text(runCli(['check', '--quiet', '--fail-on', 'info', ...args], { NO_COLOR: '1' })), c, pretty);
  });
  it('check json', () => {
    const { c, args } = plant('jso');
    const res = runCli(['check', '--format', 'json', ...args]);
    expectMasked(text(res), c, () => undefined);
    const env = JSON.parse(res.stdout).effective[0].env;
    for (const [place, p] of Object.entries(PLACES)) if (p.json) expect(env[p.json].value, place).toMatch(/\*\*\*\*/);
    expect(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT.value).toBe('http://collector:****@otel.example.com:4318/v1/metrics');
  });
  it('check sarif', () => {
    const { c, args } = plant('sar');
    const res = runCli(['check', '--format', 'sarif', ...args]);
    expectMasked(text(res), c, () => undefined);
    // Not vacuous: the files holding the canaries were read and reported on.
    const uris = JSON.parse(res.stdout).runs[0].results.map(
      (r: { locations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations?.[0].physicalLocation.artifactLocation.uri ?? '',
    );
    for (const f of ['prometheus.yml', 'otel-collector-config.yml', 'datasources.yml', 'docker-compose.yml', 'settings.local.json'])
      expect(
        uris.some((u: string) => u.endsWith(f)),
        f,
      ).toBe(true);
  });
  it('check github', () => {
    const { c, args } = plant('git');
    const res = runCli(['check', '--format', 'github', ...args]);
    expectMasked(text(res), c, () => undefined);
    expect(res.stdout).toMatch(/^::warning file=[^,]*prometheus\.yml,line=3,/m);
  });
  it('the process environment', () => {
    const { c, args } = plant('env');
    const res = runCli(['check', '--format', 'json', ...args.filter((a) => a !== '--no-shell-env')], {
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `Authorization=Bearer ${c.shellHeaders}proc`,
      GRAFANA_TOKEN: `${c.dotEnv}grafana`,
    });
    expectMasked(text(res), c, () => undefined);
    expect(JSON.parse(res.stdout).effective[0].env.OTEL_EXPORTER_OTLP_TRACES_HEADERS.value).toBe('Authorization=****');
  });
  it('CI mode', () => {
    const { root, c } = plant('ci');
    expectMasked(text(runCli(['check', '--format', 'json', root])), c, () => undefined);
    expectMasked(text(runCli(['check', root], { NO_COLOR: '1' })), c, (p) => (p.shown && !/^"/.test(p.shown('')) ? pretty(p) : undefined));
  });
  it('--dry-run diff lines', () => {
    const { c, args } = plant('dry');
    const res = runCli(['check', ...args, '--dry-run'], { NO_COLOR: '1' });
    expectMasked(text(res), c, () => undefined);
    expect(res.stdout).toMatch(/^# claude-otel-doctor: the change to .* holds a credential/m);
  });
  it('a secret holding " and \\ is masked in JSON and SARIF, where it would appear escaped', () => {
    const { root, args } = plant('quo');
    const secret = 'sk-"qu0t3dcnry\\slash\\"-x';
    writeFileSync(
      join(root, 'home/.claude/settings.json'),
      JSON.stringify({ env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', ANTHROPIC_API_KEY: secret, OTEL_METRICS_EXPORTER: `otlp,${secret}` } }),
    );
    for (const format of ['json', 'concise', 'sarif', 'github']) {
      const out = runCli(['check', '--format', format, ...args]).stdout;
      expect(out, format).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(out, format).not.toContain('qu0t3dcnry');
      expect(out, format).toContain('****');
    }
  });
});

describe('a server that echoes the credential back', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    // An OTLP endpoint that refuses every request and quotes its Authorization header in the refusal.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(401, { 'content-type': 'text/plain' }).end(`invalid credentials: ${req.headers.authorization}\n`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('probe output masks what the server echoes', async () => {
    const { root } = plant('echo');
    const canary = `cnryecho${Math.random().toString(36).slice(2, 8)}`;
    writeFileSync(
      join(root, 'home/.claude/settings.json'),
      JSON.stringify({
        env: {
          CLAUDE_CODE_ENABLE_TELEMETRY: '1',
          OTEL_METRICS_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${canary}`,
        },
      }),
    );
    for (const format of ['pretty', 'json']) {
      const res = await runCliAsync(
        [
          'probe',
          '--format',
          format,
          '--no-shell-env',
          '--no-send',
          '--timeout',
          '5',
          '--home',
          join(root, 'home'),
          '--project',
          join(root, 'none'),
          '--managed-dir',
          join(root, 'none'),
          '--claude-version',
          '2.1.197',
          '--select',
          'probe/otlp-http',
        ],
        { NO_COLOR: '1' },
      );
      expect(res.stdout + res.stderr, format).not.toContain(canary);
      expect(res.stdout, format).toContain('invalid credentials: Bearer ****'); // the echo arrived, masked
    }
  });
});

describe('redact with words of the doctor kept whole', () => {
  const ids = ['kubernetes/unknown-field', 'collector/unknown-component'];
  it('keeps a rule id whole when a credential is part of it, and masks that credential everywhere else', () => {
    const text = 'header value unknown sent; [kubernetes/unknown-field] x-unknown-y collector/unknown-components';
    expect(redact(text, new Set(['unknown']), ids)).toBe('header value **** sent; [kubernetes/unknown-field] x-****-y collector/****-components');
  });
  it('masks a credential that merely contains or touches a rule id, and everything without the words', () => {
    expect(redact('tok-kubernetes/unknown-field-tok', new Set(['tok-kubernetes/unknown-field-tok']), ids)).toBe('****');
    expect(redact('unknown', new Set(['unknown']))).toBe('****');
  });
  it('is what reports use: a rule id in a real report is never masked', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const r = runCli(['check', 'corpus/gpcmol-chart-hpa-lgtm/files', '--format', 'concise']);
    expect(r.stdout).toContain('[kubernetes/unknown-field]');
    expect(r.stdout).not.toContain('default_value: unknown');
  });
});
