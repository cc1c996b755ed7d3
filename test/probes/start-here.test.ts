// The doctor's "start here:" line: the one step to take first. No real component is needed: the first case is a
// compose stack that is not running (its published ports are free ports nobody listens on), the second is static.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { freePort } from '../pipeline/pipeline.js';
import { machine, MINIMAL_COLLECTOR_CONFIG, telemetrySettings, type Machine } from './live-stack.js';

const made: Machine[] = [];
afterAll(() => made.forEach((m) => m.remove()));

const collectorConfig = MINIMAL_COLLECTOR_CONFIG;

describe('start here', () => {
  it('a compose stack that is not running: one step, to start it, instead of four unrelated ones', async () => {
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
      'otel-collector-config.yaml': collectorConfig,
      'prometheus.yml': prometheus,
    });
    made.push(m);
    const r = await runCliAsync([...m.args, '--no-send', '--timeout', '2'], { NO_COLOR: '1' });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('start here:'));
    expect(lines).toEqual([
      `start here: nothing of the compose stack answers (Collector, Prometheus, Loki, Grafana): is it running? docker compose -f ${m.root}/home/.claude/telemetry/docker-compose.yml up -d, then docker compose ps`,
    ]);
    // The findings themselves are still there, each at its published port.
    expect(r.stdout.match(/connection refused/g)?.length).toBeGreaterThanOrEqual(4);
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
});
