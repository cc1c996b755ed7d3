// Where the probes look, worked out from the files alone (no network): compose published ports, host networking,
// a collector on this host, flags, Grafana credentials, and which defaults are guesses.
import { afterAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { planProbes, type ProbeFlags } from '../../src/probes/plan.js';
import { machineWorkspace } from '../../src/workspaces.js';
import { machine, MINIMAL_COLLECTOR_CONFIG, type Machine } from './live-stack.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/cli.js';

const flags: ProbeFlags = { timeoutMs: 1000, send: true };
const made: Machine[] = [];
afterAll(() => made.forEach((m) => m.remove()));

function plan(settings: Record<string, string>, files: Record<string, string>, f: Partial<ProbeFlags> = {}) {
  const m = machine(settings, files);
  made.push(m);
  const ws = machineWorkspace(
    { home: `${m.root}/home`, project: `${m.root}/project`, managedDir: `${m.root}/managed`, claudeVersion: '2.1.197' },
    emptyConfig(m.root),
  );
  return { plan: planProbes(ws, { ...flags, ...f }), root: m.root };
}

const grpc = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
  OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer sekret-token-value',
};

const collector = MINIMAL_COLLECTOR_CONFIG;

const compose = `services:
  otel-collector:
    image: otel/opentelemetry-collector-contrib:0.115.1
    command: ["--config=/etc/otelcol/config.yaml"]
    volumes:
      - ./otel-collector-config.yaml:/etc/otelcol/config.yaml
    ports:
      - "4317:4317"
      - "127.0.0.1:18889:8889"
      - "13133:13133"
  prometheus:
    image: prom/prometheus:v2.55.1
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--web.listen-address=0.0.0.0:9091"]
    volumes:
      - ./prometheus.yml:/etc/prometheus/prometheus.yml
    ports:
      - "19091:9091"
  loki:
    image: grafana/loki:3.0.0
    network_mode: host
  grafana:
    image: grafana/grafana:11.3.0
    environment:
      GF_SECURITY_ADMIN_USER: ops
      GF_SECURITY_ADMIN_PASSWORD: literal-pw
    ports:
      - "127.0.0.1:3300:3000"
`;

const prometheus = `global:
  scrape_interval: 7s
scrape_configs:
  - job_name: otel-collector
    static_configs:
      - targets: ['otel-collector:8889']
`;

describe('probe plan', () => {
  it('takes OTLP targets and headers from the settings, pointing findings at the endpoint setting', () => {
    const { plan: p, root } = plan(grpc, {});
    expect(p.otlp).toHaveLength(1);
    expect(p.otlp[0]).toMatchObject({
      protocol: 'grpc',
      url: 'http://localhost:4317',
      signals: ['metrics', 'logs'],
      headers: { authorization: 'Bearer sekret-token-value' },
    });
    expect(p.otlp[0].origin.kind).toBe('setting');
    expect(p.otlp[0].origin.file).toBe(`${root}/home/.claude/settings.json`);
    expect(p.otlp[0].origin.range?.start.line).toBeGreaterThan(1);
    expect(p.serviceName).toBe('claude-code');
  });

  it('gives one HTTP target per URL Claude Code posts to', () => {
    const { plan: p } = plan({ ...grpc, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, {});
    expect(p.otlp.map((t) => t.url).sort()).toEqual(['http://localhost:4318/v1/logs', 'http://localhost:4318/v1/metrics']);
  });

  it('with nothing configured, Prometheus, Loki and Grafana are guessed local defaults (silence there is no failure)', () => {
    const { plan: p } = plan(grpc, {});
    expect([p.prometheus, p.loki, p.grafana].map((t) => [t.url, t.guessed])).toEqual([
      ['http://localhost:9090', true],
      ['http://localhost:3100', true],
      ['http://localhost:3000', true],
    ]);
    expect(p.collectorHealth).toBeUndefined();
    expect(p.grafana.defaultCredentials).toBe(true);
  });

  it('a collector config on this host: health check and exporter at its endpoints; a prometheus.yml makes 9090 expected', () => {
    const { plan: p } = plan(grpc, { 'otel-collector-config.yaml': collector, 'prometheus.yml': prometheus });
    expect(p.collectorHealth?.url).toBe('http://localhost:13133/');
    expect(p.collectorHealth?.origin.range?.start.line).toBe(11);
    expect(p.exporterMetrics?.url).toBe('http://localhost:8889/metrics');
    expect(p.prometheus).toMatchObject({ url: 'http://localhost:9090', guessed: false });
    expect(p.scrapeIntervalSeconds).toBe(7);
  });

  it('compose: published ports (with their host address), a changed listen address, host networking, the admin password', () => {
    const { plan: p, root } = plan(grpc, { 'docker-compose.yml': compose, 'otel-collector-config.yaml': collector, 'prometheus.yml': prometheus });
    expect(p.collectorHealth?.url).toBe('http://localhost:13133/');
    expect(p.exporterMetrics?.url).toBe('http://127.0.0.1:18889/metrics');
    expect(p.prometheus).toMatchObject({ url: 'http://localhost:19091', guessed: false });
    expect(p.prometheus.origin).toMatchObject({ kind: 'compose', file: `${root}/home/.claude/telemetry/docker-compose.yml` });
    expect(p.loki).toMatchObject({ url: 'http://localhost:3100', guessed: false });
    expect(p.grafana).toMatchObject({ url: 'http://127.0.0.1:3300', guessed: false, defaultCredentials: false });
    expect(p.grafana.authorization).toBe(`Basic ${Buffer.from('ops:literal-pw').toString('base64')}`);
  });

  it('a container port that is not published is not reachable: no target', () => {
    const unpublished = compose.replace('      - "13133:13133"\n', '');
    const { plan: p } = plan(grpc, { 'docker-compose.yml': unpublished, 'otel-collector-config.yaml': collector });
    expect(p.collectorHealth).toBeUndefined();
  });

  it('Grafana credentials: GRAFANA_TOKEN first; a password from the environment is not guessed', () => {
    expect(plan(grpc, { 'docker-compose.yml': compose }, { grafanaToken: 'glsa_abc' }).plan.grafana.authorization).toBe('Bearer glsa_abc');
    const fromEnv = compose.replace('GF_SECURITY_ADMIN_PASSWORD: literal-pw', 'GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_PASSWORD}');
    expect(plan(grpc, { 'docker-compose.yml': fromEnv }).plan.grafana).toMatchObject({ authorization: undefined, defaultCredentials: false });
    expect(plan(grpc, {}, { grafanaUrl: 'http://viewer:pw@grafana.example:3000/' }).plan.grafana).toMatchObject({
      url: 'http://viewer:pw@grafana.example:3000',
      authorization: undefined,
      defaultCredentials: false,
      guessed: false,
    });
  });

  it('Grafana credentials: a ${VAR} compose fills from the .env beside the compose file (as init writes it)', () => {
    const fromDotEnv = compose.replace('GF_SECURITY_ADMIN_PASSWORD: literal-pw', 'GF_SECURITY_ADMIN_PASSWORD: ${COD_TEST_GRAFANA_PW:?set it in .env}');
    const dotEnv = '# written by init\nCOD_TEST_GRAFANA_PW="dot-env-pw-81c"\n';
    expect(plan(grpc, { 'docker-compose.yml': fromDotEnv, '.env': dotEnv }).plan.grafana.authorization).toBe(
      `Basic ${Buffer.from('ops:dot-env-pw-81c').toString('base64')}`,
    );
    // No .env and nothing in the shell: compose would refuse to start; the probe does not guess admin/admin.
    expect(plan(grpc, { 'docker-compose.yml': fromDotEnv }).plan.grafana).toMatchObject({ authorization: undefined, defaultCredentials: false });
    const withDefault = compose.replace('GF_SECURITY_ADMIN_PASSWORD: literal-pw', 'GF_SECURITY_ADMIN_PASSWORD: ${COD_TEST_GRAFANA_PW:-fallback-pw}');
    expect(plan(grpc, { 'docker-compose.yml': withDefault }).plan.grafana.authorization).toBe(`Basic ${Buffer.from('ops:fallback-pw').toString('base64')}`);
    // `$$` is a literal dollar to compose: the password is pa$word, sent as such (not taken for a variable).
    const escaped = compose.replace('GF_SECURITY_ADMIN_PASSWORD: literal-pw', () => 'GF_SECURITY_ADMIN_PASSWORD: pa$$word');
    expect(plan(grpc, { 'docker-compose.yml': escaped }).plan.grafana.authorization).toBe(`Basic ${Buffer.from('ops:pa$word').toString('base64')}`);
    // A lone `$word` is a variable only the shell could set: nothing is sent.
    const variable = compose.replace('GF_SECURITY_ADMIN_PASSWORD: literal-pw', () => 'GF_SECURITY_ADMIN_PASSWORD: pa$word');
    expect(plan(grpc, { 'docker-compose.yml': variable }).plan.grafana).toMatchObject({ authorization: undefined, defaultCredentials: false });
  });

  it('otelHeadersHelper: HTTP targets carry it with its place in the settings; gRPC ones never (Claude Code ignores it there)', () => {
    const m = machine(
      { ...grpc, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
      {},
      { otelHeadersHelper: '/usr/local/bin/otel-headers.sh' },
    );
    made.push(m);
    const ws = machineWorkspace(
      { home: `${m.root}/home`, project: `${m.root}/project`, managedDir: `${m.root}/managed`, claudeVersion: '2.1.197' },
      emptyConfig(m.root),
    );
    const [t] = planProbes(ws, flags).otlp;
    expect(t.headersHelper).toMatchObject({
      command: '/usr/local/bin/otel-headers.sh',
      origin: { kind: 'setting', file: `${m.root}/home/.claude/settings.json`, range: { start: { line: 2 } } },
    });
    const g = machine(grpc, {}, { otelHeadersHelper: '/usr/local/bin/otel-headers.sh' });
    made.push(g);
    const gws = machineWorkspace(
      { home: `${g.root}/home`, project: `${g.root}/project`, managedDir: `${g.root}/managed`, claudeVersion: '2.1.197' },
      emptyConfig(g.root),
    );
    expect(planProbes(gws, flags).otlp[0].headersHelper).toBeUndefined();
  });

  it('otelHeadersHelper in a shared config (probe <paths>) is not run here: that endpoint is skipped', async () => {
    const m = machine({}, {});
    made.push(m);
    const repo = join(m.root, 'repo');
    mkdirSync(join(repo, '.claude'), { recursive: true });
    writeFileSync(
      join(repo, '.claude/settings.json'),
      JSON.stringify({
        otelHeadersHelper: '/usr/local/bin/otel-headers.sh',
        env: { ...grpc, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
      }),
    );
    const r = await runCliAsync(['probe', repo, '--claude-version', '2.1.197', '--select', 'probe/otlp-http', '--format', 'json']);
    const probes = JSON.parse(r.stdout).probes as { probeId: string; status: string; summary: string }[];
    const skipped = [
      'probe/otlp-http',
      'skipped',
      'not probed: the headers come from otelHeadersHelper (/usr/local/bin/otel-headers.sh), which runs on each machine; run the doctor there',
    ];
    expect(probes.map((p) => [p.probeId, p.status, p.summary])).toEqual([skipped, skipped]); // /v1/metrics and /v1/logs
  });

  it('flags win over compose', () => {
    const { plan: p } = plan(grpc, { 'docker-compose.yml': compose }, { prometheusUrl: 'https://prom.example/', lokiUrl: 'http://loki.example:3100' });
    expect(p.prometheus).toMatchObject({ url: 'https://prom.example', origin: { kind: 'flag' } });
    expect(p.loki.url).toBe('http://loki.example:3100');
  });
});
