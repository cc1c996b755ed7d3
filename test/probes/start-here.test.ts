// The doctor's "start here:" line: the one step to take first. No real component is needed: the first cases are a
// compose stack that is not running (its published ports are free ports nobody listens on), the last is static.
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { freePort } from '../pipeline/pipeline.js';
import { machine, MINIMAL_COLLECTOR_CONFIG, telemetrySettings, type Machine } from './live-stack.js';

const made: Machine[] = [];
afterAll(() => made.forEach((m) => m.remove()));

const collectorConfig = MINIMAL_COLLECTOR_CONFIG;

describe('start here', () => {
  /** A compose stack nobody started: its published ports are free ports nobody listens on. */
  async function stoppedStack(config = collectorConfig): Promise<{ m: Machine; compose: string }> {
    const [grpc, health, prom, loki, grafana] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const compose = `services:
  otel-collector:
    image: otel/opentelemetry-collector-contrib:0.159.0
    command: ["--config=/etc/otelcol/config.yaml"]
    volumes:
      - ./otel-collector-config.yaml:/etc/otelcol/config.yaml
    ports:
      - "127.0.0.1:${grpc}:4317"
      - "127.0.0.1:${health}:13133"
  prometheus:
    image: prom/prometheus:v3.14.0
    volumes:
      - ./prometheus.yml:/etc/prometheus/prometheus.yml
    ports:
      - "127.0.0.1:${prom}:9090"
  loki:
    image: grafana/loki:3.5.0
    ports:
      - "127.0.0.1:${loki}:3100"
  grafana:
    image: grafana/grafana:12.0.0
    environment:
      GF_SECURITY_ADMIN_PASSWORD: not-the-default
    ports:
      - "127.0.0.1:${grafana}:3000"
`;
    const prometheus = `scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n`;
    const m = machine(telemetrySettings('grpc', `http://localhost:${grpc}`), {
      'docker-compose.yml': compose,
      'otel-collector-config.yaml': config,
      'prometheus.yml': prometheus,
    });
    made.push(m);
    return { m, compose: `${m.root}/home/.claude/telemetry/docker-compose.yml` };
  }

  it('a compose stack that is not running: one step, to start it, and one line for what refused', async () => {
    const { m, compose } = await stoppedStack();
    const r = await runCliAsync([...m.args, '--no-send', '--timeout', '2'], { NO_COLOR: '1' });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('start here:'));
    expect(lines).toEqual([
      `start here: nothing of the compose stack answers (Collector, Prometheus, Loki, Grafana): is it running? docker compose -f ${compose} up -d, then docker compose ps`,
    ]);
    // Each service stage says it is not running; the refusals are one line, not four findings with hints.
    // The OTLP endpoint is the gRPC port the stack publishes: refused for the same reason, folded with them.
    for (const stage of ['OTLP endpoint', 'Collector', 'Prometheus', 'Loki', 'Grafana'])
      expect(r.stdout).toMatch(new RegExp(`^✗ ${stage}\\b.* not running \\(connection refused\\)$`, 'm'));
    expect(r.stdout).toMatch(
      /^✗ connection refused: OTLP endpoint http:\/\/localhost:\d+, Collector http:\/\/127\.0\.0\.1:\d+, Prometheus http:\/\/127\.0\.0\.1:\d+, Loki .*, Grafana \S+ \[probe\/otlp-grpc, probe\/collector-health, probe\/prometheus, probe\/loki, probe\/grafana\]$/m,
    );
    expect(r.stdout).not.toMatch(/error .*\[probe\/(otlp-grpc|collector-health|prometheus|loki|grafana)\]/);
    // The summary counts the folded line as one error and says so; the exit code still counts each refusal.
    expect(r.stdout).toMatch(/^✗ 2 errors \(5 refused connections counted as one\), /m);
    // The findings themselves are still there for every other format.
    const json = JSON.parse((await runCliAsync([...m.args, '--no-send', '--timeout', '2', '--format', 'json'])).stdout);
    expect(json.findings.filter((f: { message: string }) => /connection refused/.test(f.message)).length).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('a stack that is not running and a collector config it will refuse: start here is the config error', async () => {
    // The logging exporter is gone from 0.111.0 on: collector 0.159.0 (the compose image) refuses this config.
    const { m, compose } = await stoppedStack(collectorConfig.replace('exporters: [prometheus]', 'exporters: [prometheus, logging]'));
    const r = await runCliAsync([...m.args, '--no-send', '--timeout', '2'], { NO_COLOR: '1' });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('start here:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^start here: .*otel-collector-config\.yaml:\d+: .*\[collector\/[a-z-]+\]; fix it, then docker compose/);
    expect(lines[0]).toMatch(new RegExp(`; fix it, then docker compose -f ${compose} up -d$`));
  }, 30_000);

  it('several errors: the earliest along the data path comes first', () => {
    // A collector config that will not start, and settings Claude Code ignores: the settings come first.
    const m = machine({}, { 'otel-collector-config.yaml': collectorConfig.replace('exporters: [prometheus]', 'exporters: [prometheus, logging]') });
    made.push(m);
    const settings = `${m.root}/home/.claude/settings.json`;
    writeFileSync(settings, '{\n  // telemetry\n  "env": { "CLAUDE_CODE_ENABLE_TELEMETRY": "1" }\n}\n');
    const r = runCli([...m.args, '--offline'], { NO_COLOR: '1' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^start here: .*home\/\.claude\/settings\.json:2: .*\[settings\/invalid-json\]$/m);
    // Only the doctor's own view; `check` lists findings in file order without it.
    expect(runCli(['check', ...m.args], { NO_COLOR: '1' }).stdout).not.toContain('start here:');
  });

  it('an unchecked OTLP stage points at the settings stage only when that stage shows what Claude Code exports', () => {
    const none = machine({}, { 'otel-collector-config.yaml': collectorConfig });
    const off = machine({ CLAUDE_CODE_ENABLE_TELEMETRY: '0' }, { 'otel-collector-config.yaml': collectorConfig });
    made.push(none, off);
    rmSync(`${none.root}/home/.claude/settings.json`);
    expect(runCli([...none.args, '--offline'], { NO_COLOR: '1' }).stdout).toMatch(/^· OTLP endpoint no Claude Code settings found$/m);
    const offOut = runCli([...off.args, '--offline'], { NO_COLOR: '1' }).stdout;
    expect(offOut).toMatch(/^· OTLP endpoint nothing is sent over OTLP \(see Claude Code settings\)$/m);
    expect(offOut).toMatch(/telemetry is off/);
  });
});
