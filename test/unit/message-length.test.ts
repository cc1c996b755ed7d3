// Issue #15 item 5: the first sentence of a message is short. A finding's headline says what is wrong and what it
// breaks; its detail holds this case's evidence (which variable, which file, the real tool's words, what was
// assumed); the rule's general why is in `explain`. Pretty shows the detail under the headline, concise does not,
// and every machine format carries it, redacted as the headline is.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';
import { formatReport } from '../../src/report/output.js';
import { renderMessage } from '../../src/rules/define.js';
import { PROBES } from '../../src/probes/index.js';
import { WITHHELD } from '../../src/probes/plan.js';
import { FAILED_HOW } from '../../src/probes/http.js';
import type { Finding } from '../../src/types.js';
import { FIXTURES_DIR, listFixtures, runFixture } from '../helpers/fixtures.js';

/** The most a headline may take, names filled in; most are far shorter. */
const MAX_HEADLINE = 140;
/** The engine's count of a grouped finding's other places: not the rule's words. */
const GROUPED = / \(and \d+ more places? in this file\)$/;

describe('headlines', () => {
  it(`every finding of every fixture has a headline of at most ${MAX_HEADLINE} characters, with no assumed version in it`, () => {
    const offenders = new Map<string, string>();
    const assumed = new Set<string>();
    for (const fx of listFixtures()) {
      for (const f of runFixture(fx).report.findings as (Finding & { kind?: string })[]) {
        const headline = f.message.replace(GROUPED, '');
        const key = `${f.ruleId}|${f.kind}`;
        if (headline.length > MAX_HEADLINE && (offenders.get(key)?.length ?? 0) < headline.length) offenders.set(key, headline);
        // The assumed-version wording (model/assumed-version-text.ts) is evidence: it belongs in the detail.
        if (/\(assumed: /.test(headline)) assumed.add(`${key}: ${headline}`);
      }
    }
    expect([...offenders].map(([key, h]) => `${key} (${h.length}): ${h}`)).toEqual([]);
    expect([...assumed]).toEqual([]);
  }, 300_000);
});

// Probe findings come from a running stack, not from fixtures: every message kind of every probe is built here with
// the longest data it takes in practice (names cut as the probes cut server text; the longest failure word), and the
// probe tests (test/probes/live.test.ts, test/security/hostile-servers.test.ts) drive the same messages for real.
const LONGEST_HOW = Object.values(FAILED_HOW).reduce((a, b) => (b.length > a.length ? b : a));
const URL = 'https://otel-collector.observability.internal.example.com:4318/v1/metrics';
const ANSWER = `HTTP 503 Service Unavailable: ${'w'.repeat(100)}…`;
const PROBE_DATA: Record<string, Record<string, Record<string, string>>> = {
  'probe/otlp-grpc': {
    notUrl: { url: 'http//localhost:4317' },
    unreachable: { signals: 'metrics and logs', how: LONGEST_HOW, url: URL, error: 'timed out: no answer from localhost:4317 within 5 s' },
    notGrpc: { signal: 'metrics', url: URL, answer: 'HTTP 415 Unsupported Media Type (application/json)' },
    rejects: { signal: 'metrics', status: 'RESOURCE_EXHAUSTED', url: URL, answer: 'RESOURCE_EXHAUSTED (8): data refused due to high memory usage' },
  },
  'probe/otlp-http': {
    helperFailed: { url: URL, error: 'it exited with status 1: otel-headers.sh: no token' },
    unreachable: { signals: 'metrics and logs', how: LONGEST_HOW, url: URL, error: 'connection refused: nothing listens on localhost:4318' },
    rejects: { signals: 'metrics and logs', status: 'HTTP 415 Unsupported Media Type', url: URL, answer: ANSWER },
  },
  'probe/collector-health': {
    unreachable: { how: LONGEST_HOW, url: URL, error: 'connection refused: nothing listens on localhost:13133' },
    unhealthy: { url: URL, answer: 'HTTP 503 Service Unavailable Server not available' },
  },
  'probe/prometheus': {
    unreachable: { how: LONGEST_HOW, url: URL, error: 'host prometheus not found (DNS)' },
    notReady: { url: URL, answer: ANSWER },
    targetsUnreadable: { url: URL, answer: 'HTTP 200, no target list' },
    scrapeDown: { health: 'x'.repeat(20), target: 'http://otel-collector:8889/metrics', job: 'otel-collector', error: 'connection refused' },
    noScrapeTarget: { url: URL, ports: '8889, 9464' },
    namesUnreadable: { url: URL, answer: 'HTTP 200, no name list' },
    noSeries: { url: URL },
    dashboardName: {
      dashboard: '"Claude Code – Usage and Cost"',
      queried: 'claude_code_claude_code_active_time_seconds_total',
      panels: 'panels "Tokens", "Cost", "Sessions" and 4 more',
      stored: 'claude_code_active_time_seconds_total',
    },
  },
  'probe/loki': {
    unreachable: { how: LONGEST_HOW, url: URL, error: 'timed out: no answer from localhost:3100 within 5 s' },
    notReady: { url: URL, answer: ANSWER },
    queryFailed: { url: URL, answer: 'HTTP 400 Bad Request' },
    noLogs: { service: 'claude-code', others: 'a, b, c, d, e, …' },
  },
  'probe/grafana': {
    unreachable: { how: LONGEST_HOW, url: URL, error: 'TLS handshake failed: localhost:3000 speaks plain HTTP, not https' },
    unhealthy: { url: URL, answer: 'HTTP 503 Service Unavailable, database failing' },
    listUnreadable: { what: 'datasource', url: URL, answer: 'HTTP 500 Internal Server Error, no list' },
    credentialsRefused: { url: URL, answer: 'HTTP 401 Unauthorized' },
    defaultAdmin: { url: URL, answer: 'HTTP 200, 2 datasources listed' },
    datasourceMissing: { name: 'd'.repeat(60), uid: 'prometheus', url: URL, other: '"Prometheus" with uid PBFA97CFB590B2093' },
    datasourceFails: { name: 'd'.repeat(60), url: URL, answer: ANSWER },
    dashboardMissing: { dashboard: '"Claude Code – Usage and Cost"', uid: 'claude-code', url: URL },
  },
  'probe/data-flow': {
    stopsAtScrape: { url: URL, exporter: 'http://localhost:8889/metrics', wait: '35 s' },
    stopsInCollector: { url: URL, exporter: 'http://localhost:8889/metrics', wait: '35 s' },
    metricsLost: { url: URL, wait: '35 s' },
    logsLost: { url: URL, wait: '35 s' },
  },
};

describe('probe headlines', () => {
  it('every message kind of every probe has its data here', () => {
    expect(Object.fromEntries(PROBES.map((p) => [p.id, Object.keys(p.messages).sort()]))).toEqual(
      Object.fromEntries(Object.entries(PROBE_DATA).map(([id, kinds]) => [id, Object.keys(kinds).sort()])),
    );
  });

  it(`each is at most ${MAX_HEADLINE} characters, names no URL, and has a detail saying what was probed`, () => {
    const offenders: string[] = [];
    for (const p of PROBES) {
      for (const [kind, data] of Object.entries(PROBE_DATA[p.id] ?? {})) {
        const { message, detail } = renderMessage(p, kind, data);
        if (message.length > MAX_HEADLINE || /https?:\/\//.test(message) || !detail) offenders.push(`${p.id}|${kind} (${message.length}): ${message}`);
      }
    }
    for (const headline of Object.values(WITHHELD)) if (headline.length > MAX_HEADLINE) offenders.push(headline);
    expect(offenders).toEqual([]);
  });
});

describe('detail in each format', () => {
  const dir = join(FIXTURES_DIR, 'collector-delta-dropped-fail-remote-write', 'files');
  const result = check({ paths: [dir], cwd: dir });
  const finding = result.findings.find((f) => f.ruleId === 'collector/delta-dropped' && f.detail);
  const options = { command: 'check', failOn: 'error', color: false, cwd: dir } as const;

  it('the fixture has a finding with a detail', () => {
    expect(finding?.detail).toMatch(/OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE/);
  });

  it('pretty shows the detail under the headline; concise shows the headline only', () => {
    const pretty = formatReport(result, { ...options, format: 'pretty' });
    const lines = pretty.split('\n');
    const at = lines.findIndex((l) => l.includes(finding!.message));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(`  ${finding!.detail}`);
    const concise = formatReport(result, { ...options, format: 'concise' });
    expect(concise).toContain(finding!.message);
    expect(concise).not.toContain(finding!.detail);
  });

  it('JSON has it as `detail`; SARIF and GitHub annotations put it after the headline', () => {
    const json = JSON.parse(formatReport(result, { ...options, format: 'json' }));
    expect(json.findings).toContainEqual(expect.objectContaining({ message: finding!.message, detail: finding!.detail }));
    const sarif = JSON.parse(formatReport(result, { ...options, format: 'sarif' }));
    const texts = sarif.runs[0].results.map((r: { message: { text: string } }) => r.message.text);
    expect(texts.some((t: string) => t.startsWith(`${finding!.message} ${finding!.detail}`))).toBe(true);
    const github = formatReport(result, { ...options, format: 'github' });
    expect(github).toContain(`::${finding!.message} ${finding!.detail}`.replace(/%/g, '%25'));
  });

  it('a secret in the detail never shows, in any format', () => {
    const secretDir = join(FIXTURES_DIR, 'settings-secret-in-shared-file-fail-api-key');
    const key = 'sk-ant-api03-Xq7vR2mN8pL4kT1wZ9yB6cD3fG5hJ0aS';
    const run = check({ home: join(secretDir, 'home'), project: join(secretDir, 'project'), managedDir: join(secretDir, 'managed'), shellEnv: false });
    const planted: Finding = { ruleId: 'settings/secret-in-shared-file', severity: 'error', message: 'headline', detail: `the key is ${key} here` };
    for (const format of ['pretty', 'concise', 'json', 'sarif', 'github'] as const) {
      const text = formatReport({ ...run, findings: [planted] }, { ...options, cwd: secretDir, format });
      expect(text, format).not.toContain(key);
      expect(text, format).not.toContain(key.slice(10));
    }
  });
});
