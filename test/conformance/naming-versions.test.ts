// The naming model's Claude Code attributes and events, against what real Claude Code sends (one plain `claude -p`
// over http/json, API-key login) on the oldest supported and the newest known version and on both versions of every
// bracket the model dates something with (absentIn, from): every datapoint and event attribute that arrives must be
// known for that version, every attribute the model calls certain must arrive, and every event that arrives must be
// known. ~1.5 s a version.
import { describe, expect, it } from 'vitest';
import {
  CLAUDE_ATTRIBUTES_BY_VERSION,
  CLAUDE_EVENTS,
  CLAUDE_METRICS,
  claudeDatapointAttributes,
  claudeEvents,
  versionedAttributes,
} from '../../src/model/naming.js';
import { atLeast, compareVersions, NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';
import { CLAUDE_MATRIX, claudeBinary } from '../harness/claude-path.js';
import { observeTelemetry } from '../harness/run-claude.js';

const inCI = process.env.CI === 'true';
/** Attributes every event carries (besides versionedAttributes). */
const EVENT_COMMON = ['user.id', 'session.id', 'terminal.type', 'event.name', 'event.timestamp', 'event.sequence'];

interface Seen {
  /** Metric name → datapoint attribute keys. */
  metrics: Map<string, Set<string>>;
  /** event.name → attribute keys. */
  events: Map<string, Set<string>>;
}

async function observe(version: string): Promise<Seen> {
  const env = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  const o = await observeTelemetry((s) => ({
    home: { '.claude/settings.json': JSON.stringify({ env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: s.httpUrl } }) },
    claudeVersion: version,
  }));
  expect(o.exitCode, o.stderr).toBe(0);
  const seen: Seen = { metrics: new Map(), events: new Map() };
  const add = (m: Map<string, Set<string>>, name: string, keys: string[]) => m.set(name, new Set([...(m.get(name) ?? []), ...keys]));
  type Attr = { key: string; value?: { stringValue?: string } };
  for (const r of o.records) {
    const body = JSON.parse(r.body.toString('utf8'));
    for (const rm of body.resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) {
          for (const p of (m.sum ?? m.gauge ?? m.histogram)?.dataPoints ?? [])
            add(
              seen.metrics,
              m.name,
              (p.attributes ?? []).map((a: Attr) => a.key),
            );
        }
    for (const rl of body.resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? [])
        for (const lr of sl.logRecords ?? []) {
          const attrs: Attr[] = lr.attributes ?? [];
          add(
            seen.events,
            attrs.find((a) => a.key === 'event.name')?.value?.stringValue ?? '(no event.name)',
            attrs.map((a) => a.key),
          );
        }
  }
  return seen;
}

const brackets = [...CLAUDE_ATTRIBUTES_BY_VERSION, ...CLAUDE_EVENTS.flatMap((e) => [e.since, ...e.attributes.map((a) => a.since)])].flatMap((b) =>
  b ? [b.absentIn, b.from] : [],
);
const VERSIONS = [...new Set([OLDEST_SUPPORTED_CLAUDE, NEWEST_KNOWN_CLAUDE, ...brackets])].sort(compareVersions);

describe('naming brackets', () => {
  it('every version the model dates something with is one the provisioning script installs', () => {
    expect(VERSIONS.filter((v) => !CLAUDE_MATRIX.versions.includes(v))).toEqual([]);
  });
});

for (const version of VERSIONS) {
  const suite = claudeBinary(version) || inCI ? describe : describe.skip;
  if (!claudeBinary(version) && !inCI) console.warn(`\n*** SKIPPING naming conformance on ${version}: not provisioned. ***\n`);
  suite(`naming model against real Claude Code ${version}`, () => {
    it('knows every datapoint attribute and event that arrives, and every certain attribute arrives', async () => {
      const seen = await observe(version);
      expect(seen.metrics.size, 'metrics arrived').toBeGreaterThan(0);
      expect(seen.events.size, 'events arrived').toBeGreaterThan(0);
      for (const [name, keys] of seen.metrics) {
        const metric = CLAUDE_METRICS.find((m) => m.otel === name);
        expect(metric, `${name} is a known metric`).toBeDefined();
        const model = claudeDatapointAttributes(metric!, { claudeVersion: version, auth: 'api-key' });
        expect(
          [...keys].filter((k) => !model.possible.includes(k)),
          `${name}: attributes the model does not know on ${version}`,
        ).toEqual([]);
        expect(
          model.always.filter((k) => !keys.has(k)),
          `${name}: attributes the model calls certain that did not arrive on ${version}`,
        ).toEqual([]);
      }
      const events = claudeEvents(version);
      const versioned = versionedAttributes(version, 'api-key');
      for (const [name, keys] of seen.events) {
        expect(events.has(name), `event ${name} is known on ${version}`).toBe(true);
        const known = new Set([...EVENT_COMMON, ...versioned.possible, ...(events.get(name) ?? [])]);
        expect(
          [...keys].filter((k) => !known.has(k)),
          `event ${name}: attributes the model does not know on ${version}`,
        ).toEqual([]);
        for (const k of versioned.always) expect(keys.has(k), `event ${name}: ${k} is certain on ${version}`).toBe(true);
        // An attribute the model dates to a version at or before this one arrives with its event.
        const event = CLAUDE_EVENTS.find((e) => e.name === name)!;
        const dated = event.attributes.filter((a) => a.since && atLeast(version, a.since.from)).map((a) => a.key);
        expect(
          dated.filter((k) => !keys.has(k)),
          `event ${name}: dated attributes missing on ${version}`,
        ).toEqual([]);
      }
      // Observed events that the model dates to this version or earlier arrive in a plain run.
      const plain = CLAUDE_EVENTS.filter((e) => e.since?.observed && atLeast(version, e.since.from)).map((e) => e.name);
      expect(
        plain.filter((n) => !seen.events.has(n)),
        `events the model says a plain run of ${version} emits`,
      ).toEqual([]);
    }, 60_000);
  });
}
