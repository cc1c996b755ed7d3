import { defineRule, type RuleFinding } from '../define.js';
import { EMBEDDED_NIL_FATAL_FROM, EMBEDDED_NIL_FIXED_IN, envReferences, expandsEmpty, NIL_ZEROES_FROM } from '../../model/collector-env.js';
import { componentOf, type EmptyExpansion, expandEmpty, newRequiredFailures } from '../../model/collector-expansion.js';
import { yamlPathString } from '../../load/yaml.js';
import { BEFORE_EVERY_COLLECTOR_GATE } from '../../model/versions.js';
import { collectorVersionKnown, collectorVersionText, inRange, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';

/** The reference, and why the collector sees it empty. */
interface Empty {
  token: string;
  where: string;
  variable: string;
  /** Set to the empty string, rather than not set at all. */
  empty: boolean;
  /** Where the collector's environment came from. */
  evidence: string;
}

const unset = (d: Empty) => `${d.variable} is ${d.empty ? 'empty' : 'not set'} for the collector (${d.evidence})`;

/** What became of the option, in words. */
function outcome(e: EmptyExpansion): string {
  if (e.effect === 'nothing') return 'it expands to nothing';
  if (e.effect === 'embedded') return `${e.option} is ${e.value}`;
  if (e.effect === 'cleared')
    return `${e.option} is ${e.value === undefined ? 'left without a value' : `set to ${e.value}`} (from v${NIL_ZEROES_FROM} an empty variable clears the option, default or not)`;
  return e.effect === 'unset' ? `${e.option} is left without a value` : `${e.option} keeps its default, ${e.value}`;
}

const messages = {
  embeddedNil: {
    message: (d: Empty) => `${d.variable} is ${d.empty ? 'empty' : 'not set'} for the collector: it refuses to start`,
    detail: (d: Empty & { version: string }) =>
      `"${d.token}" in ${d.where}: ${unset(d)}; inside a longer value ${d.version} says "expanding ${d.token}: retrieved value does not have unambiguous string representation: <nil>"`,
  },
  /** `failure`: the collector's error, `component` as `kind::id`. */
  refused: {
    message: (d: Empty) => `${d.variable} is ${d.empty ? 'empty' : 'not set'} for the collector: it refuses to start`,
    detail: (d: Empty & { expansion: EmptyExpansion; version: string; component: string; failure: string }) =>
      `"${d.token}" in ${d.where}: ${unset(d)}, so ${outcome(d.expansion)}; ${d.version} says "${d.component}: ${d.failure}"`,
  },
  /** Refused only where an empty variable clears the option (from NIL_ZEROES_FROM), and the version is not known. */
  refusedFromUnknown: {
    message: (d: Empty) => `${d.variable} is ${d.empty ? 'empty' : 'not set'} for the collector: from v${NIL_ZEROES_FROM} on it refuses to start`,
    detail: (d: Empty & { expansion: EmptyExpansion; unknown: string; component: string; failure: string }) =>
      `"${d.token}" in ${d.where}: ${unset(d)}, so ${outcome(d.expansion)}; collectors from v${NIL_ZEROES_FROM} on say "${d.component}: ${d.failure}"; ${d.unknown}`,
  },
  expandsEmpty: {
    message: (d: Empty) => `"${d.token}" expands to nothing: ${d.variable} is ${d.empty ? 'empty' : 'not set'} for the collector`,
    detail: (d: Empty & { expansion: EmptyExpansion }) => `in ${d.where}: ${unset(d)}, so ${outcome(d.expansion)}`,
  },
} as const;

export default defineRule({
  id: 'collector/unset-variable',
  severity: 'warning',
  title: 'A variable the collector config needs is not set for the collector',
  checks:
    "`${env:NAME}` and `${NAME}` references without a default whose variable is unset or empty in the collector's environment, when that environment is known: the collector's compose service (`environment:`; a service with `env_file:` is not judged) or `--collector-env-file`. The value is then worked out as the collector works it out at that version, and the component's required options are checked on it.",
  why: 'An unset variable expands to nothing, and the collector says little: the option keeps its default (before v0.127.0) or becomes empty (from v0.127.0), and inside a longer value it is an empty string. Where the option is required the collector does not start ("exporters::otlphttp: at least one endpoint must be specified", "expecting a non-blank address to run the Prometheus metrics handler"); v0.104.0–v0.107.x refuse any unset variable inside a longer value ("retrieved value does not have unambiguous string representation: <nil>"). Elsewhere data silently goes to the wrong place or without its header or token.',
  fix: 'none',
  versions: `all; inside a longer value fatal v${EMBEDDED_NIL_FATAL_FROM}–v0.107.x; a whole value keeps the option's default before v${NIL_ZEROES_FROM} and empties it from then on`,
  bad: {
    file: 'docker-compose.yml + otel-collector-config.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    environment:\n      - LOKI_URL=http://loki:3100/otlp\n---\nexporters:\n  otlphttp/grafana:\n    endpoint: ${env:GRAFANA_OTLP_ENDPOINT}\n',
  },
  good: {
    file: 'docker-compose.yml + otel-collector-config.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    environment:\n      - GRAFANA_OTLP_ENDPOINT=https://otlp-gateway.grafana.net/otlp\n---\nexporters:\n  otlphttp/grafana:\n    endpoint: ${env:GRAFANA_OTLP_ENDPOINT}\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/confmap/provider/envprovider/provider.go (an unset variable expands empty, with a warning)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/confmap/v1.14.0/confmap/provider.go (NewRetrievedFromYAML: nil has a string form from confmap v1.14.0 = collector v0.108.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/confmap/v1.33.0/confmap/confmap.go (DecodeNil, confmap v1.33.0 = collector v0.127.0)',
    'measured: test/oracles/differential.test.ts (unset ${env:X} on the real 0.105.0 and 0.165.0 builds)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  // The check already decided, for this version, whether the collector starts: errors are exactly the fatal ones.
  messages,
  fatalIn: (_version, finding) => finding.severity === 'error',
  check(ws) {
    const env = ws.stack.collectorEnvironment;
    if (!env) return [];
    const version = ws.stack.collector.version;
    const known = collectorVersionKnown(ws.stack);
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      for (const ref of envReferences(c.yaml)) {
        if (!expandsEmpty(env, ref.name)) continue;
        const where = yamlPathString(ref.path);
        // One unset variable used in many options is one cause: reported once per kind, with every place.
        const at = { file: c.file, range: c.yaml.source.range(ref.offset, ref.token.length), path: where, subject: ref.name };
        const empty: Empty = { token: ref.token, where, variable: ref.name, empty: env.variables.has(ref.name), evidence: env.evidence };
        const hint = `${env.variables.has(ref.name) ? `give ${ref.name} a value` : `set ${ref.name}`} for the collector, or write a default: \${env:${ref.name}:-…} (v0.110.0 or later)`;
        if (!ref.whole && inRange(version, EMBEDDED_NIL_FATAL_FROM, EMBEDDED_NIL_FIXED_IN)) {
          findings.push({ ...at, severity: 'error', kind: 'embeddedNil', data: { ...empty, version: collectorVersionText(ws.stack) }, hint });
          continue;
        }
        const comp = componentOf(c, ref.path);
        const expanded = comp ? expandEmpty(comp, ref, version) : undefined;
        const expansion: EmptyExpansion = expanded?.expansion ?? { effect: 'nothing' };
        const broken = comp && expanded ? newRequiredFailures(c, comp, expanded.config) : [];
        // The version only assumed: refused at every version, or else only from the release that clears the option.
        const before = !known && broken.length && comp ? expandEmpty(comp, ref, BEFORE_EVERY_COLLECTOR_GATE) : undefined;
        if (before && newRequiredFailures(c, comp!, before.config).length === 0) {
          findings.push({
            ...at,
            severity: 'warning',
            kind: 'refusedFromUnknown',
            data: { ...empty, expansion, unknown: unknownCollectorText(ws.stack), component: `${comp!.kind}::${comp!.id}`, failure: broken[0] },
            hint: `${hint}; ${PIN_COLLECTOR}`,
          });
        } else if (broken.length) {
          findings.push({
            ...at,
            severity: 'error',
            kind: 'refused',
            data: { ...empty, expansion, version: collectorVersionText(ws.stack), component: `${comp!.kind}::${comp!.id}`, failure: broken[0] },
            hint,
          });
        } else {
          findings.push({ ...at, kind: 'expandsEmpty', data: { ...empty, expansion }, hint });
        }
      }
    }
    return findings;
  },
});
