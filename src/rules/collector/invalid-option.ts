import { defineRule, type RuleFinding } from '../define.js';
import { componentRuns, valueAt, type Component } from '../../model/collector.js';
import { componentOptionProblems, snapshotVersions } from '../../model/component-options.js';
import type { YamlValue } from '../../load/yaml-value.js';
import type { YamlPath } from '../../load/yaml.js';
import { requiredOptionFailures } from '../../model/required-options.js';
import { collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';

/** Unknown options another rule explains better (and fixes); reported once, by that rule. */
const REPORTED_ELSEWHERE: { kind: string; types: string[]; option: string; rule: string }[] = [
  { kind: 'exporters', types: ['otlp', 'otlp_grpc'], option: 'insecure', rule: 'collector/exporter-tls' },
];

/** Required options whose absence another rule reports, with a fix: prometheus endpoint, memory_limiter limits. */
const requiredElsewhere = (comp: Component) =>
  (comp.kind === 'exporters' && comp.type === 'prometheus') || (comp.kind === 'processors' && comp.type === 'memory_limiter');

const REQUIRED_HINTS: Record<string, string> = {
  'requires a non-empty "endpoint"': 'set endpoint to the receiving host and port, e.g. tempo:4317',
  'at least one endpoint must be specified': "set endpoint to the receiver's base URL, e.g. http://otel-gateway:4318",
  'invalid endpoint': 'set endpoint to the full remote-write URL, e.g. http://prometheus:9090/api/v1/write',
  'no bearer token provided': 'set token (e.g. ${env:UPSTREAM_TOKEN}) or filename',
};

const messages = {
  /** `problem`: what is wrong with the option, in the collector's terms. */
  refused: {
    message: 'invalid option in {{section}}.{{component}}: the collector refuses this config and does not start',
    detail: '{{problem}}; at {{version}}',
  },
  unchecked: {
    message: 'invalid option in {{section}}.{{component}} at v{{checkedAgainst}}, the oldest release the doctor has options for',
    detail: '{{problem}}; {{version}} may differ',
  },
  /** Refused by the newest release the doctor knows, not by the oldest, and the version here is not known. */
  refusedFromUnknown: {
    message: 'invalid option in {{section}}.{{component}}: v{{newest}} refuses this config but v{{oldest}} accepts it',
    detail: '{{problem}}; {{unknown}}',
  },
  /** `failure`: the collector's error. */
  requiredMissing: {
    message: '{{section}}.{{component}}: a required option is missing or empty: the collector refuses this config and does not start',
    detail: '{{version}} says "{{section}}::{{component}}: {{failure}}"',
  },
} as const;

const reportedElsewhere = (comp: Component, option: string) =>
  REPORTED_ELSEWHERE.some((r) => r.kind === comp.kind && r.types.includes(comp.type) && r.option === option);

export default defineRule({
  id: 'collector/invalid-option',
  severity: 'error',
  title: 'A component option the collector cannot read',
  checks:
    'Each component\'s options against what that collector version accepts: unknown option names (with a did-you-mean), values of the wrong type (a quoted `"true"` for a boolean, a number for a string, a scalar for a mapping), durations that are not Go durations (`1d`, `30 s`), negative values for unsigned options; and an `otlp` (gRPC) exporter without `endpoint`. The accepted options come from snapshots of the real collector builds (v0.105.0 and v0.165.0: otlp receiver; otlp, otlphttp, debug, logging, prometheus, prometheusremotewrite and loki exporters; batch, memory_limiter, resource and deltatocumulative processors; health_check and bearertokenauth extensions); other components are not checked.',
  why: "The collector reads its config strictly and refuses the whole file, so it does not start: `'' has invalid keys: loglevel` (an option of another component or an older release), `'send_timestamps' expected type 'bool', got unconvertible type 'string'` (strict typing, `confmap.strictlyTypedInput`, since v0.105), `time: unknown unit \"d\" in duration \"1d\"` (durations are Go durations: ns, us, ms, s, m, h; no days), `exporters::otlp: requires a non-empty \"endpoint\"`. Names are case-sensitive.",
  fix: 'none',
  versions:
    'all collector versions; a version between two snapshots is checked against both (an option counts as wrong only when both refuse it); a version older than the oldest snapshot gets warnings, not errors; when the version is not known, what only the newer snapshot refuses is a warning that names the assumption',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  debug:\n    loglevel: debug\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    metric_expiration: 1d\n    send_timestamps: "true"\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  debug:\n    verbosity: detailed\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    metric_expiration: 24h\n    send_timestamps: true\n',
  },
  references: [
    'https://prometheus.io/docs/prometheus/latest/configuration/configuration/ (Prometheus durations)',
    'https://github.com/open-telemetry/opentelemetry-collector/issues/10552 (confmap.strictlyTypedInput: implicit type casting removed)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/exporter/otlpexporter/config.go (requires a non-empty "endpoint")',
    'scripts/gen-collector-schemas.mjs (generates the option schemas in schemas/collector from the oracle builds)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  // Unchecked options are warnings: the release in force may accept them.
  fatalIn: (_version, finding) => finding.kind !== 'unchecked' && finding.kind !== 'refusedFromUnknown',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    const version = ws.stack.collector.version;
    const known = collectorVersionKnown(ws.stack);
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      for (const comp of c.components) {
        const which = { section: comp.kind, component: comp.id, version: collectorVersionText(ws.stack) };
        // The version only assumed (the newest): what the oldest snapshot accepts is refused only by some releases.
        const oldest = snapshotVersions()[0];
        const atOldest = known ? undefined : new Set((componentOptionProblems(comp.kind, comp.type, comp.plain, oldest) ?? []).map(problemKey));
        for (const p of componentOptionProblems(comp.kind, comp.type, comp.plain, version) ?? []) {
          if (p.path.length === 1 && reportedElsewhere(comp, String(p.path[0]))) continue;
          if (atOldest && p.certain && !atOldest.has(problemKey(p))) {
            findings.push({
              ...(valueAt(comp.value, p.path) ?? comp.value).location(p.part),
              severity: 'warning',
              kind: 'refusedFromUnknown',
              data: { section: comp.kind, component: comp.id, problem: p.message, newest: version, oldest, unknown: unknownCollectorText(ws.stack) },
              hint: `${p.hint}; ${PIN_COLLECTOR}`,
            });
            continue;
          }
          findings.push({
            ...(valueAt(comp.value, p.path) ?? comp.value).location(p.part),
            severity: p.certain ? 'error' : 'warning',
            ...(p.certain
              ? { kind: 'refused' as const, data: { ...which, problem: p.message } }
              : { kind: 'unchecked' as const, data: { ...which, problem: p.message, checkedAgainst: snapshotVersions()[0] } }),
            hint: p.hint,
          });
        }
        for (const f of requiredOptionFailures(comp.kind, comp.type, comp.config)) {
          if (requiredElsewhere(comp) || (f.stage === 'create' && !componentRuns(c, comp))) continue;
          findings.push({
            ...deepestWritten(comp.value, f.path).location(),
            kind: 'requiredMissing',
            data: { ...which, failure: f.error },
            hint: REQUIRED_HINTS[f.error] ?? 'set the option',
          });
        }
      }
    }
    return findings;
  },
});

/** One problem's place, to match it across snapshots. */
const problemKey = (p: { path: YamlPath; part: string }) => `${JSON.stringify(p.path)} ${p.part}`;

/** The deepest value written along a path: where a missing option would go. */
function deepestWritten(from: YamlValue, path: YamlPath): YamlValue {
  let v = from;
  for (const key of path) {
    const next = valueAt(v, [key]);
    if (!next) break;
    v = next;
  }
  return v;
}
