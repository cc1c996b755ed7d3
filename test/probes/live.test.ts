// The live probes against running components: the real collector (current oracle build) and the real prometheus
// server, with fake Loki and Grafana written from their documented HTTP APIs (test/harness: neither can be
// installed here). Each case is a setup a user could have; the doctor's `probe` command runs on it in-process.
// A missing real component fails with CI=true; elsewhere the suite is skipped loudly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorBinary, prometheusServerBinary, PROVISION_COLLECTOR, PROVISION_PROMETHEUS, versions } from '../oracles/paths.js';
import { describeWithComponents } from '../helpers/real-components.js';
import { runCli, runCliAsync, type CliResult } from '../helpers/cli.js';
import { startFakeGrafana, type FakeGrafana, type FakeGrafanaOptions } from '../harness/fake-grafana.js';
import { claudeBinary } from '../harness/claude-path.js';
import { runClaudeAgent } from '../pipeline/pipeline.js';
import { headersHelperScript, TOKEN_VARIABLE } from '../../src/bootstrap/enterprise.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { createRequire } from 'node:module';
import { schemaPath } from '../../src/util/paths.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH_TOKEN, machine, startLiveStack, telemetrySettings, type LiveStack, type Machine } from './live-stack.js';

const collector = collectorBinary('current');
const prometheus = prometheusServerBinary();
const missing = !collector
  ? `collector ${versions.collector.current} is not provisioned (${PROVISION_COLLECTOR})`
  : !prometheus
    ? `the prometheus server is not on PATH (${PROVISION_PROMETHEUS})`
    : !claudeBinary()
      ? `Claude Code ${versions.claudeCode} is not provisioned (node scripts/provision-claude.mjs)`
      : undefined;

interface ProbeRow {
  probeId: string;
  stage: string;
  status: 'ok' | 'failed' | 'skipped';
  target?: string;
  summary: string;
}

interface Finding {
  ruleId: string;
  severity: string;
  kind?: string;
  message: string;
  detail?: string;
  file?: string;
  range?: { start: { line: number; column: number } };
  hint?: string;
}

interface Run extends CliResult {
  probes: ProbeRow[];
  findings: Finding[];
}

const GRAFANA_TOKEN = 'glsa_cod_probe_token_77c1d0';
const require = createRequire(import.meta.url);
// ajv-draft-04 is CommonJS (as in test/unit/reports.test.ts); SARIF 2.1.0's schema is draft-04.
const AjvDraft04: typeof import('ajv-draft-04').default = require('ajv-draft-04');
const sarifSchema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const validateSarif = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }).compile(sarifSchema);
const validateReport = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath('report.schema.json'), 'utf8')));

describeWithComponents('live probes: real collector and Prometheus, fake Loki and Grafana', missing, () => {
  let stack: LiveStack;
  const cleanup: (() => unknown)[] = [];
  beforeAll(async () => {
    stack = await startLiveStack(collector!, prometheus!);
  }, 60_000);
  afterAll(async () => {
    for (const c of cleanup) await c();
    await stack?.stop();
  });

  const endpoint = (port: number) => `http://127.0.0.1:${port}`;

  /** The stack files as the doctor reads them: the running collector and Prometheus configs, Grafana provisioning. */
  function files(over: Record<string, string> = {}): Record<string, string> {
    return {
      'otel-collector-config.yaml': stack.collectorConfig,
      'prometheus.yml': stack.prometheusConfig,
      'grafana/provisioning/datasources/datasources.yaml': `apiVersion: 1
datasources:
  - name: Prometheus
    uid: prometheus
    type: prometheus
    url: ${stack.prometheus.url}
  - name: Loki
    uid: loki
    type: loki
    url: ${stack.loki.url}
`,
      'grafana/provisioning/dashboards/dashboards.yaml': `apiVersion: 1
providers:
  - name: claude-code
    type: file
    options:
      path: /var/lib/grafana/dashboards
`,
      'grafana/dashboards/claude-code.json': JSON.stringify(
        {
          uid: 'claude-code',
          title: 'Claude Code',
          panels: [
            {
              id: 1,
              type: 'timeseries',
              title: 'Tokens',
              datasource: { type: 'prometheus', uid: 'prometheus' },
              targets: [{ refId: 'A', expr: 'sum(rate(claude_code_token_usage_tokens_total[5m]))' }],
            },
          ],
        },
        null,
        2,
      ),
      ...over,
    };
  }

  const healthyGrafana = (): FakeGrafanaOptions => ({
    datasources: [
      { uid: 'prometheus', name: 'Prometheus', type: 'prometheus', url: stack.prometheus.url },
      { uid: 'loki', name: 'Loki', type: 'loki', url: stack.loki.url },
    ],
    dashboards: [{ uid: 'claude-code', title: 'Claude Code' }],
    tokens: [GRAFANA_TOKEN],
    users: { admin: 'not-the-default-pw' },
  });

  async function grafana(opts: FakeGrafanaOptions): Promise<FakeGrafana> {
    const g = await startFakeGrafana(opts);
    cleanup.push(() => g.close());
    return g;
  }

  function setup(settings: Record<string, string>, over: Record<string, string> = {}, topLevel: Record<string, unknown> = {}): Machine {
    const m = machine(settings, files(over), topLevel);
    cleanup.push(() => m.remove());
    return m;
  }

  async function probe(
    m: Machine,
    g: FakeGrafana | undefined,
    extra: string[] = [],
    env: Record<string, string | undefined> = { GRAFANA_TOKEN },
  ): Promise<Run> {
    const urls = ['--prometheus-url', stack.prometheus.url, '--loki-url', stack.loki.url, ...(g ? ['--grafana-url', g.url] : [])];
    const format = extra.includes('--format') ? [] : ['--format', 'json'];
    const r = await runCliAsync(['probe', ...m.args, ...urls, '--timeout', '3', ...format, ...extra], { NO_COLOR: '1', ...env });
    let report: { probes?: ProbeRow[]; findings?: Finding[] } = {};
    if (!extra.includes('--format')) {
      report = JSON.parse(r.stdout);
      // Every JSON report of a probe run is a valid report (schemas/report.schema.json), probes included.
      expect(validateReport(report), JSON.stringify(validateReport.errors?.slice(0, 3))).toBe(true);
    }
    return { ...r, probes: report.probes ?? [], findings: report.findings ?? [] };
  }

  const rows = (r: Run, id: string) => r.probes.filter((p) => p.probeId === id);
  const failures = (r: Run) => r.probes.filter((p) => p.status !== 'ok').map((p) => `${p.probeId} ${p.status}: ${p.summary}`);

  for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as const) {
    it(`${protocol}: every probe passes and the probe telemetry reaches Prometheus and Loki`, async () => {
      const port = protocol === 'grpc' ? stack.ports.grpc : stack.ports.http;
      const g = await grafana(healthyGrafana());
      const before = stack.loki.entries.length;
      const r = await probe(setup(telemetrySettings(protocol, endpoint(port))), g);
      // No Claude Code session has run against this stack yet (that case comes later): warnings, not errors. The
      // probe's own log record, which does reach Loki, is not taken for Claude Code's events.
      expect(failures(r), r.stderr).toEqual([
        'probe/prometheus failed: Prometheus has no Claude Code series yet',
        'probe/loki failed: Loki has no logs from Claude Code in the last 6 h',
      ]);
      expect(r.findings.map((f) => f.severity)).toEqual(['warning', 'warning']);
      expect(r.exitCode).toBe(0);
      // Every stage was looked at, not skipped.
      expect(new Set(r.probes.map((p) => p.probeId))).toEqual(
        new Set([
          protocol === 'grpc' ? 'probe/otlp-grpc' : 'probe/otlp-http',
          'probe/collector-health',
          'probe/prometheus',
          'probe/loki',
          'probe/grafana',
          'probe/data-flow',
        ]),
      );
      const flow = rows(r, 'probe/data-flow').map((p) => p.summary);
      expect(flow).toEqual([
        expect.stringMatching(/^metrics flow: the probe counter reached Prometheus as claude_otel_doctor_probe_total after /),
        expect.stringMatching(/^logs flow: the probe log record reached Loki after /),
      ]);
      // The fake Loki really received the record from the collector's otlphttp exporter, as Claude Code's service.
      const arrived = stack.loki.entries.slice(before).filter((e) => e.line.startsWith('claude-otel-doctor probe '));
      expect(arrived.map((e) => e.labels.service_name)).toEqual(['claude-code']);
      expect(rows(r, 'probe/grafana').map((p) => p.summary)).toEqual([
        'Grafana 11.3.0 is healthy',
        'datasource "Prometheus" (prometheus, uid prometheus) works',
        'datasource "Loki" (loki, uid loki) works',
        'dashboard "Claude Code" (uid claude-code) is loaded',
      ]);
      expect(g.authorizations.every((a) => a === `Bearer ${GRAFANA_TOKEN}`) && g.authorizations.length > 0).toBe(true);
      expect(r.stdout + r.stderr).not.toContain(GRAFANA_TOKEN);
    }, 60_000);
  }

  it('pretty output: each stage with what was seen', async () => {
    const g = await grafana(healthyGrafana());
    const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc))), g, ['--format', 'pretty', '--no-send']);
    expect(r.exitCode).toBe(0);
    for (const stage of ['OTLP endpoint', 'Collector', 'Grafana']) expect(r.stdout).toMatch(new RegExp(`^✓ ${stage}`, 'm'));
    // Prometheus and Loki answer but hold nothing of Claude Code yet: the stage is marked, the line says why.
    for (const stage of ['Prometheus', 'Loki']) expect(r.stdout).toMatch(new RegExp(`^! ${stage}`, 'm'));
    expect(r.stdout).toMatch(/^ {4}warning Prometheus has no Claude Code series yet .*\[probe\/prometheus\]$/m);
    expect(r.stdout).toMatch(/^ {4}✓ scrapes http:\/\/127\.0\.0\.1:\d+\/metrics \(job otel-collector\): up/m);
    expect(r.stdout).toMatch(/✓ accepts metrics over gRPC/);
    expect(r.stdout).toMatch(/✓ collector healthy: Server available/);
    expect(r.stdout).toMatch(/end-to-end check off \(--no-send\)/);
    expect(r.stdout).not.toContain(GRAFANA_TOKEN);
  }, 30_000);

  it('gRPC sent to the OTLP/HTTP port: the endpoint finding points at the setting and says which port to use', async () => {
    const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.http))), undefined, ['--select', 'probe/otlp-grpc,probe/data-flow']);
    expect(r.exitCode).toBe(1);
    const f = r.findings.filter((x) => x.ruleId === 'probe/otlp-grpc');
    expect(f.length).toBeGreaterThan(0);
    expect(f[0].file).toMatch(/home\/\.claude\/settings\.json$/);
    expect(f[0].range?.start.line).toBe(7);
    expect(f[0].hint).toMatch(/OTLP\/HTTP port \(4318\)/);
    expect(rows(r, 'probe/data-flow').every((p) => p.status === 'skipped' && /refuses them/.test(p.summary))).toBe(true);
  }, 30_000);

  it('OTLP/HTTP sent to the gRPC port: the hint names the HTTP port', async () => {
    const r = await probe(setup(telemetrySettings('http/protobuf', endpoint(stack.ports.grpc))), undefined, ['--select', 'probe/otlp-http']);
    expect(r.exitCode).toBe(1);
    const f = r.findings.filter((x) => x.ruleId === 'probe/otlp-http');
    expect(f).toHaveLength(2); // /v1/metrics and /v1/logs
    for (const x of f) expect(x.hint).toMatch(/gRPC port \(4317\).*HTTP port \(4318\)|HTTP port \(4318\)/);
  }, 30_000);

  it('nothing listens on the endpoint: one finding for it, and the end-to-end check does not pile on', async () => {
    const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.dead))), undefined, ['--select', 'probe/otlp-grpc,probe/data-flow']);
    expect(r.exitCode).toBe(1);
    // The headline says what is wrong; the detail what was probed and what came back.
    expect(r.findings.map((f) => [f.ruleId, f.message, f.detail])).toEqual([
      [
        'probe/otlp-grpc',
        'Claude Code cannot export metrics and logs to the OTLP gRPC endpoint (connection refused)',
        `gRPC Export to ${endpoint(stack.ports.dead)}: connection refused: nothing listens on 127.0.0.1:${stack.ports.dead}`,
      ],
    ]);
  }, 30_000);

  it('a receiver without a logs pipeline: gRPC UNIMPLEMENTED, HTTP 404, each with the pipeline hint', async () => {
    const headers = { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${AUTH_TOKEN}` };
    const g = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.authGrpc), headers)), undefined, ['--select', 'probe/otlp-grpc']);
    expect(g.probes.map((p) => [p.status, p.summary])).toEqual([
      ['ok', 'accepts metrics over gRPC'],
      ['failed', 'the OTLP gRPC endpoint rejects logs (UNIMPLEMENTED)'],
    ]);
    expect(g.findings[0].detail).toMatch(/^gRPC Export to http:\/\/127\.0\.0\.1:\d+: UNIMPLEMENTED \(12\)/);
    expect(g.findings[0].hint).toMatch(/no logs pipeline/);
    const h = await probe(setup(telemetrySettings('http/protobuf', endpoint(stack.ports.authHttp), headers)), undefined, ['--select', 'probe/otlp-http']);
    const failed = h.probes.filter((p) => p.status === 'failed');
    expect(failed.map((p) => p.target)).toEqual([`${endpoint(stack.ports.authHttp)}/v1/logs`]);
    expect(h.findings[0].message).toBe('the OTLP/HTTP endpoint rejects logs (HTTP 404 Not Found)');
    expect(h.findings[0].detail).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/v1\/logs: HTTP 404 Not Found/);
    expect(h.findings[0].hint).toMatch(/no logs pipeline/);
    for (const r of [g, h]) expect(r.stdout + r.stderr).not.toContain(AUTH_TOKEN);
  }, 30_000);

  it('a wrong token: UNAUTHENTICATED / 401, and the header value never appears in any format', async () => {
    const wrong = 'wrong-token-5d1e0b9f';
    const settings = telemetrySettings('grpc', endpoint(stack.ports.authGrpc), {
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${wrong}`,
      OTEL_LOGS_EXPORTER: 'none',
    });
    const m = setup(settings);
    const r = await probe(m, undefined, ['--select', 'probe/otlp-grpc']);
    expect(r.findings.map((f) => f.message)).toEqual(['the OTLP gRPC endpoint rejects metrics (UNAUTHENTICATED)']);
    expect(r.findings[0].hint).toMatch(/credentials/);
    const http = await probe(
      setup({ ...settings, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(stack.ports.authHttp) }),
      undefined,
      ['--select', 'probe/otlp-http'],
    );
    expect(http.findings.map((f) => f.message)).toEqual(['the OTLP/HTTP endpoint rejects metrics (HTTP 401 Unauthorized)']);
    for (const format of ['pretty', 'concise', 'sarif', 'github']) {
      const out = await probe(m, undefined, ['--select', 'probe/otlp-grpc', '--format', format]);
      expect(out.stdout.length).toBeGreaterThan(0);
      if (format === 'sarif') {
        // A probe finding is a valid SARIF result, with the probe's descriptor and the setting's location.
        const sarif = JSON.parse(out.stdout);
        expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
        expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['probe/otlp-grpc']);
        expect(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain('probe/otlp-grpc');
        expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/settings\.json$/);
      }
      expect(out.stdout + out.stderr).not.toContain(wrong);
    }
    expect(r.stdout + r.stderr + http.stdout + http.stderr).not.toContain(wrong);
  }, 30_000);

  it("otelHeadersHelper: its token is sent (init's otel-headers.sh); a failing or non-JSON helper is the finding, at the setting", async () => {
    const helperDir = mkdtempSync(join(tmpdir(), 'cod-helper-'));
    cleanup.push(() => rmSync(helperDir, { recursive: true, force: true }));
    const script = (name: string, text: string) => {
      writeFileSync(join(helperDir, name), text, { mode: 0o755 });
      return join(helperDir, name);
    };
    const rollout = script('otel-headers.sh', headersHelperScript());
    const settings = telemetrySettings('http/protobuf', endpoint(stack.ports.authHttp), { OTEL_LOGS_EXPORTER: 'none' });
    const noTokenFile = { [`${TOKEN_VARIABLE}_FILE`]: join(helperDir, 'absent') };

    const good = await probe(setup(settings, {}, { otelHeadersHelper: rollout }), undefined, ['--select', 'probe/otlp-http,probe/data-flow'], {
      [TOKEN_VARIABLE]: AUTH_TOKEN,
    });
    expect(failures(good)).toEqual([]);
    expect(rows(good, 'probe/otlp-http').map((p) => p.summary)).toEqual(['accepts metrics over HTTP']);
    expect(rows(good, 'probe/data-flow').map((p) => p.summary)).toContainEqual(expect.stringMatching(/^metrics flow: the probe counter reached Prometheus/));

    // Without the helper the same settings are refused: the helper's token is what got through.
    const bare = await probe(setup(settings), undefined, ['--select', 'probe/otlp-http']);
    expect(bare.findings.map((f) => f.message)).toEqual(['the OTLP/HTTP endpoint rejects metrics (HTTP 401 Unauthorized)']);

    const noToken = await probe(setup(settings, {}, { otelHeadersHelper: rollout }), undefined, ['--select', 'probe/otlp-http'], {
      [TOKEN_VARIABLE]: undefined,
      ...noTokenFile,
    });
    expect(noToken.findings.map((f) => [f.message, f.detail])).toEqual([
      [
        'otelHeadersHelper fails, so Claude Code exports nothing at all, not even with the static headers',
        `run for ${endpoint(stack.ports.authHttp)}/v1/metrics: it exited with status 1: otel-headers.sh: no token: set ${TOKEN_VARIABLE}, or put it in ${join(helperDir, 'absent')}`,
      ],
    ]);
    expect(noToken.findings[0].file).toMatch(/home\/\.claude\/settings\.json$/);
    expect(noToken.findings[0].range?.start.line).toBe(2);

    const notJson = script('plain.sh', '#!/bin/sh\necho "Authorization=Bearer leaked-4e1f"\n');
    const bad = await probe(setup(settings, {}, { otelHeadersHelper: notJson }), undefined, ['--select', 'probe/otlp-http']);
    expect(bad.findings.map((f) => f.detail)).toEqual([expect.stringMatching(/^run for \S+: its output is not JSON$/)]);
    for (const r of [good, noToken, bad]) expect(r.stdout + r.stderr).not.toMatch(new RegExp(`${AUTH_TOKEN}|leaked-4e1f`));
  }, 60_000);

  it('Prometheus scraping an exporter that is not there: the target is down, with the scrape error and a hint', async () => {
    const config = stack.collectorConfig.replace(`endpoint: 127.0.0.1:${stack.ports.exporter}`, `endpoint: 127.0.0.1:${stack.ports.dead}`);
    const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc)), { 'otel-collector-config.yaml': config }), undefined, [
      '--select',
      'probe/prometheus',
    ]);
    // The stack waited for Prometheus' first scrapes, so the stale job is already down with its error.
    const down = r.findings.filter((f) => f.kind === 'scrapeDown');
    expect(down.map((f) => [f.message, f.detail])).toEqual([
      [
        "Prometheus cannot scrape the collector's exporter: the target is down",
        expect.stringMatching(new RegExp(`^target http://127\\.0\\.0\\.1:${stack.ports.dead}/metrics \\(job stale-collector\\): .*connection refused`)),
      ],
    ]);
    const f = down[0];
    expect(f?.hint).toMatch(/0\.0\.0\.0/);
  }, 30_000);

  it('Grafana: a datasource under another UID, one that cannot reach its backend, a missing dashboard, admin/admin', async () => {
    const g = await grafana({
      datasources: [
        { uid: 'PBFA97CFB590B2093', name: 'Prometheus', type: 'prometheus', url: stack.prometheus.url },
        { uid: 'loki', name: 'Loki', type: 'loki', url: `http://127.0.0.1:${stack.ports.dead}` },
      ],
      dashboards: [],
    });
    const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc))), g, ['--select', 'probe/grafana'], { GRAFANA_TOKEN: undefined });
    expect(r.exitCode).toBe(1);
    const byMessage = (re: RegExp) => r.findings.find((f) => re.test(`${f.message}: ${f.detail}`));
    const uid = byMessage(/datasource "Prometheus" is not in Grafana: no uid prometheus in GET \S+; Grafana has "Prometheus" with uid PBFA97CFB590B2093/);
    expect(uid?.file).toMatch(/datasources\.yaml$/);
    expect(uid?.hint).toMatch(/deleteDatasources/);
    expect(byMessage(/datasource "Loki" fails its health check: GET \S+\/api\/datasources\/uid\/loki\/health: HTTP \d+.*connection refused/)).toBeDefined();
    const dash = byMessage(/dashboard "Claude Code" is not loaded in Grafana: no uid claude-code in GET /);
    expect(dash?.file).toMatch(/claude-code\.json$/);
    const admin = byMessage(/accepts the default admin\/admin/);
    expect(admin?.severity).toBe('warning');
    expect(g.authorizations[0]).toBe(`Basic ${Buffer.from('admin:admin').toString('base64')}`);
  }, 30_000);

  it('Grafana: refused credentials are a warning; credentials in --grafana-url are used and never printed', async () => {
    const g = await grafana({ ...healthyGrafana(), users: { viewer: 'url-pw-91b2c' } });
    const refused = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc))), g, ['--select', 'probe/grafana'], {
      GRAFANA_TOKEN: 'glsa_wrong_4c1f',
    });
    expect(refused.findings.map((f) => [f.severity, f.message])).toEqual([
      ['warning', 'Grafana refuses the credentials: datasources and dashboards not checked'],
    ]);
    expect(refused.stdout).not.toContain('glsa_wrong_4c1f');
    const m = setup(telemetrySettings('grpc', endpoint(stack.ports.grpc)));
    const withUrl = await runCliAsync(
      ['probe', ...m.args, '--select', 'probe/grafana', '--grafana-url', g.url.replace('http://', 'http://viewer:url-pw-91b2c@'), '--format', 'json'],
      { GRAFANA_TOKEN: undefined },
    );
    const report = JSON.parse(withUrl.stdout);
    expect(report.findings).toEqual([]);
    expect(report.probes.every((p: ProbeRow) => p.status === 'ok')).toBe(true);
    expect(withUrl.stdout + withUrl.stderr).not.toContain('url-pw-91b2c');
  }, 30_000);

  it('Grafana with a failing database, and Loki still starting, are findings', async () => {
    const g = await grafana({ ...healthyGrafana(), database: 'failing' });
    stack.loki.starting = true;
    try {
      const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc))), g, ['--select', 'probe/grafana,probe/loki']);
      expect(r.findings.map((f) => `${f.message}: ${f.detail}`).sort()).toEqual([
        `Grafana is not healthy: GET ${g.url}/api/health: HTTP 503 Service Unavailable, database failing`,
        `Loki is not ready: GET ${stack.loki.url}/ready: HTTP 503 Service Unavailable: Some services are not Running:`,
      ]);
      // Findings with no file (the targets came from flags) are still valid SARIF results.
      const sarif = JSON.parse(
        (await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc))), g, ['--select', 'probe/grafana,probe/loki', '--format', 'sarif'])).stdout,
      );
      expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
      expect(sarif.runs[0].results).toHaveLength(2);
    } finally {
      stack.loki.starting = false;
    }
  }, 30_000);

  it('the collector health check that does not answer points at the extension endpoint in the config', async () => {
    const config = stack.collectorConfig.replace(`endpoint: 127.0.0.1:${stack.ports.health}`, `endpoint: 127.0.0.1:${stack.ports.dead}`);
    const r = await probe(setup(telemetrySettings('grpc', endpoint(stack.ports.grpc)), { 'otel-collector-config.yaml': config }), undefined, [
      '--select',
      'probe/collector-health',
    ]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].file).toMatch(/otel-collector-config\.yaml$/);
    expect(r.findings[0].range?.start.line).toBe(stack.collectorConfig.split('\n').findIndex((l) => l.includes(`127.0.0.1:${stack.ports.health}`)) + 1);
    expect(r.findings[0].message).toBe("no usable answer from the collector's health check (connection refused)");
    expect(r.findings[0].detail).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/?\S*: connection refused: nothing listens on /);
  }, 30_000);

  it('after a real Claude Code session, Prometheus holds its series, and a dashboard querying the other naming is caught', async () => {
    const settings = telemetrySettings('grpc', endpoint(stack.ports.grpc), { OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_LOGS_EXPORT_INTERVAL: '1000' });
    const run = await runClaudeAgent({ env: settings });
    expect(run.exitCode, run.stderr).toBe(0);
    let names: string[] = [];
    for (let i = 0; i < 30 && !names.some((n) => n.startsWith('claude_code_token_usage')); i++) {
      await new Promise((res) => setTimeout(res, 1000));
      names = ((await (await fetch(`${stack.prometheus.url}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data;
    }
    const stored = names.find((n) => n.startsWith('claude_code_token_usage'));
    expect(stored, names.join(' ')).toBeDefined();
    const dashboard = (expr: string) =>
      JSON.stringify({
        uid: 'claude-code',
        title: 'Claude Code',
        panels: [{ id: 1, type: 'timeseries', title: 'Tokens', datasource: { type: 'prometheus', uid: 'prometheus' }, targets: [{ refId: 'A', expr }] }],
      });
    const wrong = await probe(setup(settings, { 'grafana/dashboards/claude-code.json': dashboard(`sum(rate(claude_code_${stored}[5m]))`) }), undefined, [
      '--select',
      'probe/prometheus',
    ]);
    const f = wrong.findings.filter((x) => x.ruleId === 'probe/prometheus');
    expect(f.map((x) => [x.message, x.detail])).toEqual([
      [
        `dashboard "Claude Code" queries claude_code_${stored}, not the name Prometheus stores`,
        `in panel "Tokens"; Prometheus stores that metric as ${stored}`,
      ],
    ]);
    expect(f[0].file).toMatch(/claude-code\.json$/);
    expect(f[0].hint).toContain(`query ${stored}`);
    const right = await probe(setup(settings, { 'grafana/dashboards/claude-code.json': dashboard(`sum(rate(${stored}[5m]))`) }), undefined, [
      '--select',
      'probe/prometheus,probe/loki',
    ]);
    expect(failures(right)).toEqual([]);
    expect(rows(right, 'probe/prometheus').map((p) => p.summary)).toContainEqual(
      expect.stringMatching(/^holds \d+ Claude Code series names, e\.g\. claude_code_/),
    );
    // Claude Code's own events went through the collector's logs pipeline into Loki.
    expect(stack.loki.entries.some((e) => e.labels.service_name === 'claude-code' && /claude_code\./.test(e.line))).toBe(true);
  }, 180_000);

  it('the doctor without --offline runs the static rules and the probes, stage by stage', async () => {
    const g = await grafana(healthyGrafana());
    const m = setup(telemetrySettings('grpc', endpoint(stack.ports.grpc)));
    const r = await runCliAsync([...m.args, '--prometheus-url', stack.prometheus.url, '--loki-url', stack.loki.url, '--grafana-url', g.url, '--no-send'], {
      NO_COLOR: '1',
      GRAFANA_TOKEN,
    });
    const order = ['Claude Code settings', 'OTLP endpoint', 'Collector', 'Prometheus', 'Loki', 'Grafana', 'End to end'].map((s) =>
      r.stdout.search(new RegExp(`^. ${s}`, 'm')),
    );
    expect(
      order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1])),
      r.stdout,
    ).toBe(true);
    expect(r.stdout).toMatch(/✓ accepts metrics over gRPC/);
    const offline = runCli([...m.args, '--offline'], { NO_COLOR: '1' });
    expect(offline.stdout).toContain('not checked (live probes are off)');
    expect(offline.stdout).not.toMatch(/accepts metrics over gRPC/);
  }, 30_000);
});

describe('probe usage errors (exit 2, nothing probed)', () => {
  it.each([
    [['--timeout', 'x'], /--timeout must be a number of seconds/],
    [['--flow-timeout', '0'], /--flow-timeout must be a number of seconds/],
    [['--prometheus-url', 'ftp://prom:9090'], /--prometheus-url must be an http:\/\/ or https:\/\/ URL/],
    [['--grafana-url', 'not a url'], /--grafana-url must be an http/],
    [['--fix'], /probe changes no file/],
  ])('%s', (extra, message) => {
    const r = runCli(['probe', '--home', '/nonexistent', ...extra]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a password in a bad URL flag is not echoed', () => {
    const r = runCli(['probe', '--loki-url', 'ftp://u:hunter2-pw@loki:3100']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toContain('hunter2-pw');
  });
});
