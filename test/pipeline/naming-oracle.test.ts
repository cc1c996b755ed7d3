// The naming oracle: real Claude Code 2.1.197 (scripted mock API: a Write and a `git commit`) sends its metrics
// through the real collector, built from Go modules, on both oracle builds; each exporter configuration's output
// is scraped for real (prometheus exporter /metrics; remote write decoded as it arrives) and must have exactly
// the series names and label names the naming model (src/model/naming.ts) predicts. Also Claude Code's built-in
// prometheus exporter, scraped while Claude Code still runs. A missing component fails with CI=true; elsewhere
// the suite is skipped loudly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { claudeBinary } from '../harness/claude-path.js';
import { collectorBinary, type CollectorRole, PROVISION_COLLECTOR, versions } from '../oracles/paths.js';
import { claudeSeries, type ClaudeAttributeOptions, type MetricsPipeline } from '../../src/model/naming.js';
import { freePort, runClaudeAgent, scrapeUntil, startCollector, type ScrapedSeries } from './pipeline.js';
import { startRemoteWriteReceiver, type RemoteWriteReceiver } from './remote-write.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-naming-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What Claude Code attaches in these runs: API-key auth, default OTEL_METRICS_INCLUDE_*, two custom resource attributes. */
const RESOURCE_ATTRIBUTES = 'team.id=platform,deployment=poc';
const CLAUDE: ClaudeAttributeOptions = { claudeVersion: versions.claudeCode, auth: 'api-key', resourceAttributes: ['team.id', 'deployment'] };
/** A run has no pull request; everything else is produced (active_time is recorded at exit in -p). */
const NOT_PRODUCED = new Set(['claude_code.pull_request.count']);

/** Series name → sorted label names (union over the series of that name), for the Claude Code metrics only. */
function shape(series: ScrapedSeries[], prefix: RegExp): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const s of series) {
    if (!prefix.test(s.name) || /target_info$/.test(s.name)) continue;
    out[s.name] ??= new Set();
    out[s.name].add('');
    for (const l of Object.keys(s.labels)) out[s.name].add(l);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].filter(Boolean).sort()]));
}

/** What the model says the scrape holds: produced, not dropped metrics. */
function predicted(p: MetricsPipeline, optional: Set<string> = new Set()): { required: Record<string, string[]>; optional: Record<string, string[]> } {
  const required: Record<string, string[]> = {};
  const maybe: Record<string, string[]> = {};
  for (const s of claudeSeries(p, CLAUDE)) {
    if (s.dropped || NOT_PRODUCED.has(s.otel)) continue;
    (optional.has(s.otel) ? maybe : required)[s.name] = s.labels;
  }
  return { required, optional: maybe };
}

function compare(actual: Record<string, string[]>, expected: { required: Record<string, string[]>; optional: Record<string, string[]> }): void {
  const kept = Object.fromEntries(Object.entries(actual).filter(([n]) => !(n in expected.optional)));
  expect(kept).toEqual(expected.required);
  for (const [n, labels] of Object.entries(actual)) if (n in expected.optional) expect(labels, n).toEqual(expected.optional[n]);
}

interface ExporterCase {
  id: string;
  title: string;
  config: string;
  pipeline: (version: string) => MetricsPipeline;
  /** The exporter's prefix (to pick the Claude Code series out of a scrape). */
  prefix: RegExp;
  roles?: CollectorRole[];
}

const PROMETHEUS_CASES: ExporterCase[] = [
  {
    id: 'prometheus/plain',
    title: 'no options',
    config: '',
    pipeline: (v) => ({ kind: 'collector-prometheus', collectorVersion: v }),
    prefix: /^claude_code_/,
  },
  {
    id: 'prometheus/ns',
    title: 'namespace: claude_code',
    config: 'namespace: claude_code',
    pipeline: (v) => ({ kind: 'collector-prometheus', collectorVersion: v, namespace: 'claude_code' }),
    prefix: /^claude_code_claude_code_/,
  },
  {
    id: 'prometheus/nosuffix',
    title: 'add_metric_suffixes: false (honoured on the old build, ignored from v0.154)',
    config: 'add_metric_suffixes: false',
    pipeline: (v) => ({ kind: 'collector-prometheus', collectorVersion: v, addMetricSuffixes: false }),
    prefix: /^claude_code_/,
  },
  {
    id: 'prometheus/strategy',
    title: 'translation_strategy: UnderscoreEscapingWithoutSuffixes',
    config: 'translation_strategy: UnderscoreEscapingWithoutSuffixes',
    pipeline: (v) => ({ kind: 'collector-prometheus', collectorVersion: v, translationStrategy: 'UnderscoreEscapingWithoutSuffixes' }),
    prefix: /^claude_code_/,
    roles: ['current'],
  },
  {
    id: 'prometheus/resource',
    title: 'resource_to_telemetry_conversion enabled',
    config: 'resource_to_telemetry_conversion:\n      enabled: true',
    pipeline: (v) => ({ kind: 'collector-prometheus', collectorVersion: v, resourceToTelemetry: { include: ['*'] } }),
    prefix: /^claude_code_/,
  },
  {
    id: 'prometheus/seed',
    title: "the seed template's exporter: namespace claude_code and const_labels {source: …} (drops the edit-decision counter)",
    config: 'namespace: claude_code\n    const_labels:\n      source: claude_code_telemetry',
    pipeline: (v) => ({ kind: 'collector-prometheus', collectorVersion: v, namespace: 'claude_code', constLabels: { source: 'claude_code_telemetry' } }),
    prefix: /^claude_code_claude_code_/,
  },
];

const REMOTE_WRITE_CASES: ExporterCase[] = [
  {
    id: 'prometheusremotewrite/plain',
    title: 'remote write, no options',
    config: '',
    pipeline: (v) => ({ kind: 'collector-prometheusremotewrite', collectorVersion: v }),
    prefix: /^claude_code_/,
  },
  {
    id: 'prometheusremotewrite/options',
    title: 'remote write with namespace, add_metric_suffixes: false (still honoured) and resource_to_telemetry_conversion',
    config: 'namespace: claude_code\n    add_metric_suffixes: false\n    resource_to_telemetry_conversion:\n      enabled: true',
    pipeline: (v) => ({
      kind: 'collector-prometheusremotewrite',
      collectorVersion: v,
      namespace: 'claude_code',
      addMetricSuffixes: false,
      resourceToTelemetry: { include: ['*'] },
    }),
    prefix: /^claude_code_claude_code_/,
  },
];

for (const role of ['old', 'current'] as CollectorRole[]) {
  const version = versions.collector[role];
  const collector = collectorBinary(role);
  const missing = !collector
    ? `collector ${version} is not provisioned; run \`${PROVISION_COLLECTOR}\``
    : !claudeBinary()
      ? 'Claude Code is not provisioned; run `node scripts/provision-claude.mjs`'
      : undefined;
  suite(`naming oracle: Claude Code ${versions.claudeCode} → collector ${version} (${role})`, missing, () => {
    const prometheusCases = PROMETHEUS_CASES.filter((c) => !c.roles || c.roles.includes(role));
    const scraped = new Map<string, ScrapedSeries[]>();
    const pushed = new Map<string, ScrapedSeries[]>();
    let run: Awaited<ReturnType<typeof runClaudeAgent>> | undefined;

    it('runs Claude Code (a Write and a git commit) through one collector with every exporter configuration', async () => {
      const http = await freePort();
      const ports = new Map<string, number>();
      for (const c of prometheusCases) ports.set(c.id, await freePort());
      const receivers = new Map<string, RemoteWriteReceiver>();
      for (const c of REMOTE_WRITE_CASES) receivers.set(c.id, await startRemoteWriteReceiver());
      const exporters = [
        ...prometheusCases.map((c) => `  ${c.id}:\n    endpoint: 127.0.0.1:${ports.get(c.id)}${c.config ? `\n    ${c.config}` : ''}`),
        ...REMOTE_WRITE_CASES.map((c) => `  ${c.id}:\n    endpoint: ${receivers.get(c.id)!.url}${c.config ? `\n    ${c.config}` : ''}`),
      ];
      const config = [
        'receivers:',
        '  otlp:',
        '    protocols:',
        '      http:',
        `        endpoint: 127.0.0.1:${http}`,
        'processors:',
        // Remote write drops delta sums; Claude Code exports delta by default.
        '  deltatocumulative:',
        'exporters:',
        ...exporters,
        'service:',
        '  telemetry:',
        '    metrics:',
        '      level: none',
        '  pipelines:',
        '    metrics:',
        '      receivers: [otlp]',
        `      exporters: [${prometheusCases.map((c) => c.id).join(', ')}]`,
        '    metrics/remotewrite:',
        '      receivers: [otlp]',
        '      processors: [deltatocumulative]',
        `      exporters: [${REMOTE_WRITE_CASES.map((c) => c.id).join(', ')}]`,
        '',
      ].join('\n');
      const first = prometheusCases[0];
      const col = await startCollector(collector!, config, `http://127.0.0.1:${ports.get(first.id)}/metrics`, dir);
      try {
        run = await runClaudeAgent({
          env: {
            CLAUDE_CODE_ENABLE_TELEMETRY: '1',
            OTEL_METRICS_EXPORTER: 'otlp',
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${http}`,
            OTEL_METRIC_EXPORT_INTERVAL: '1000',
            OTEL_RESOURCE_ATTRIBUTES: RESOURCE_ATTRIBUTES,
          },
        });
        expect(run.exitCode, run.stderr).toBe(0);
        expect(run.toolCalls).toEqual(['Write', 'Bash']);
        for (const c of prometheusCases) {
          const expected = predicted(c.pipeline(version));
          const url = `http://127.0.0.1:${ports.get(c.id)}/metrics`;
          const done = (s: ScrapedSeries[]) => Object.keys(expected.required).every((n) => s.some((x) => x.name === n));
          scraped.set(c.id, await scrapeUntil(url, done, 10_000));
        }
        const deadline = Date.now() + 10_000;
        for (const c of REMOTE_WRITE_CASES) {
          const expected = predicted(c.pipeline(version));
          const r = receivers.get(c.id)!;
          while (Date.now() < deadline && !Object.keys(expected.required).every((n) => r.series.some((x) => x.name === n)))
            await new Promise((x) => setTimeout(x, 200));
          expect(r.errors).toEqual([]);
          pushed.set(c.id, [...r.series]);
        }
      } finally {
        await col.stop();
        for (const r of receivers.values()) await r.close();
      }
    }, 120_000);

    for (const c of prometheusCases) {
      it(`prometheus exporter, ${c.title}: /metrics has the predicted names and labels`, () => {
        expect(run, 'the Claude Code run failed').toBeDefined();
        compare(shape(scraped.get(c.id) ?? [], c.prefix), predicted(c.pipeline(version)));
      });
    }
    for (const c of REMOTE_WRITE_CASES) {
      it(`${c.title}: the pushed series have the predicted names and labels`, () => {
        expect(run, 'the Claude Code run failed').toBeDefined();
        compare(shape(pushed.get(c.id) ?? [], c.prefix), predicted(c.pipeline(version)));
      });
    }
  });
}

suite(
  `naming oracle: Claude Code ${versions.claudeCode} built-in prometheus exporter`,
  claudeBinary() ? undefined : 'Claude Code is not provisioned; run `node scripts/provision-claude.mjs`',
  () => {
    it('scraped while Claude Code runs (a Bash sleep keeps it alive) has the predicted names and labels', async () => {
      const port = await freePort();
      // active_time is recorded only at exit in -p, so it may never be scraped (claude-code.md E28).
      const expected = predicted({ kind: 'claude-builtin' }, new Set(['claude_code.active_time.total']));
      let last: ScrapedSeries[] = [];
      const run = await runClaudeAgent({
        sleepSeconds: 30,
        env: {
          CLAUDE_CODE_ENABLE_TELEMETRY: '1',
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
          OTEL_RESOURCE_ATTRIBUTES: RESOURCE_ATTRIBUTES,
        },
        during: async () => {
          const done = (s: ScrapedSeries[]) => Object.keys(expected.required).every((n) => s.some((x) => x.name === n));
          last = await scrapeUntil(`http://127.0.0.1:${port}/metrics`, done, 60_000);
        },
      });
      expect(run.toolCalls.slice(0, 2), run.stderr).toEqual(['Write', 'Bash']);
      compare(shape(last, /^claude_code_/), expected);
      // The resource goes to target_info (no job: Prometheus adds it from the scrape config).
      expect(last.find((s) => s.name === 'target_info')?.labels).toMatchObject({ service_name: 'claude-code', team_id: 'platform' });
    }, 120_000);
  },
);
