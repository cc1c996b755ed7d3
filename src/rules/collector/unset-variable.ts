import { defineRule, type RuleFinding } from '../define.js';
import { componentRuns, COMPONENT_KINDS, type CollectorConfig, type Component, type ComponentKind } from '../../model/collector.js';
import {
  EMBEDDED_NIL_FATAL_FROM,
  EMBEDDED_NIL_FIXED_IN,
  envReferences,
  expandsEmpty,
  NIL_ZEROES_FROM,
  type EnvReference,
} from '../../model/collector-env.js';
import { optionDefault, optionKind, type ShapeKind } from '../../model/component-options.js';
import { requiredOptionFailures } from '../../model/required-options.js';
import { yamlPathString, type YamlPath } from '../../load/yaml.js';
import { atLeast, collectorVersionText, inRange } from '../../model/collector-version-text.js';

const ZERO: Partial<Record<ShapeKind, unknown>> = { string: '', text: '', int: 0, uint: 0, float: 0, duration: 0, bool: false };

export default defineRule({
  id: 'collector/unset-variable',
  severity: 'warning',
  title: 'A variable the collector config needs is not set for the collector',
  checks:
    '`${env:NAME}` and `${NAME}` references without a default whose variable is unset or empty in the collector\'s environment, when that environment is known: the collector\'s compose service (`environment:`; a service with `env_file:` is not judged) or `--collector-env-file`. The value is then worked out as the collector works it out at that version, and the component\'s required options are checked on it.',
  why:
    'An unset variable expands to nothing, and the collector says little: the option keeps its default (before v0.127.0) or becomes empty (from v0.127.0), and inside a longer value it is an empty string. Where the option is required the collector does not start ("exporters::otlphttp: at least one endpoint must be specified", "expecting a non-blank address to run the Prometheus metrics handler"); v0.104.0–v0.107.x refuse any unset variable inside a longer value ("retrieved value does not have unambiguous string representation: <nil>"). Elsewhere data silently goes to the wrong place or without its header or token.',
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
    'collector.md §2.5 (environment variables)',
    'confmap provider.go NewRetrievedFromYAML (nil has a string form from confmap v1.14.0 = collector v0.108.0); confmap internal/decoder.go DecodeNil (confmap v1.33.0 = collector v0.127.0)',
    'observed on the oracle builds 0.105.0 and 0.165.0',
  ],
  oracle: 'collector',
  stage: 'Collector',
  // The check already decided, for this version, whether the collector starts: errors are exactly the fatal ones.
  fatalIn: (_version, finding) => finding.severity === 'error',
  check(ws) {
    const env = ws.stack.collectorEnvironment;
    if (!env) return [];
    const version = ws.stack.collector.version;
    const findings: RuleFinding[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      for (const ref of envReferences(c.yaml)) {
        if (!expandsEmpty(env, ref.name)) continue;
        const where = yamlPathString(ref.path);
        const at = { file: c.file, range: c.yaml.source.range(ref.offset, ref.token.length), path: where };
        const unset = `${ref.name} is ${env.variables.has(ref.name) ? 'empty' : 'not set'} for the collector (${env.evidence})`;
        const hint = `${env.variables.has(ref.name) ? `give ${ref.name} a value` : `set ${ref.name}`} for the collector, or write a default: \${env:${ref.name}:-…} (v0.110.0 or later)`;
        if (!ref.whole && inRange(version, EMBEDDED_NIL_FATAL_FROM, EMBEDDED_NIL_FIXED_IN)) {
          findings.push({
            ...at,
            severity: 'error',
            message: `"${ref.token}" in ${where}: ${unset}; inside a longer value ${collectorVersionText(ws.stack)} refuses to start: "expanding ${ref.token}: retrieved value does not have unambiguous string representation: <nil>"`,
            hint,
          });
          continue;
        }
        const comp = componentOf(c, ref.path);
        const outcome = comp ? expanded(comp, ref, version) : { config: undefined, text: 'it expands to nothing' };
        const broken = comp && outcome.config ? newFailures(c, comp, outcome.config) : [];
        if (broken.length) {
          findings.push({
            ...at,
            severity: 'error',
            message: `"${ref.token}" in ${where}: ${unset}, so ${outcome.text}: ${collectorVersionText(ws.stack)} refuses to start ("${comp!.kind}::${comp!.id}: ${broken[0]}")`,
            hint,
          });
        } else {
          findings.push({ ...at, message: `"${ref.token}" in ${where}: ${unset}, so ${outcome.text}`, hint });
        }
      }
    }
    return findings;
  },
});

function componentOf(c: CollectorConfig, path: YamlPath): Component | undefined {
  if (!COMPONENT_KINDS.includes(path[0] as ComponentKind)) return undefined;
  return c.components.find((x) => x.kind === path[0] && x.id === path[1]);
}

/** The component's config as the collector sees it with this one reference expanded, and what became of the option. */
function expanded(comp: Component, ref: EnvReference, version: string): { config: Record<string, unknown>; text: string } {
  const rel = ref.path.slice(2);
  const config = structuredClone(comp.config);
  const option = yamlPathString(rel);
  if (!ref.whole) {
    const value = String(get(config, rel) ?? '').split(ref.token).join('');
    set(config, rel, value);
    return { config, text: `${option} is ${JSON.stringify(value)}` };
  }
  if (atLeast(version, NIL_ZEROES_FROM)) {
    const kind = optionKind(comp.kind, comp.type, rel, version);
    const zero = kind ? (ZERO[kind] ?? null) : '';
    set(config, rel, zero);
    return { config, text: `${option} is ${zero === null ? 'left without a value' : `set to ${JSON.stringify(zero)}`} (from v${NIL_ZEROES_FROM} an empty variable clears the option, default or not)` };
  }
  remove(config, rel);
  const fallback = optionDefault(comp.kind, comp.type, rel, version);
  const none = fallback === undefined || fallback === null || fallback === '';
  return { config, text: none ? `${option} is left without a value` : `${option} keeps its default, ${JSON.stringify(fallback)}` };
}

/** Required-option failures that this expansion causes and that stop the collector at this point. */
function newFailures(c: CollectorConfig, comp: Component, config: Record<string, unknown>): string[] {
  const before = new Set(requiredOptionFailures(comp.kind, comp.type, comp.config).map((f) => f.error));
  const used = componentRuns(c, comp);
  return requiredOptionFailures(comp.kind, comp.type, config)
    .filter((f) => !before.has(f.error) && (f.stage === 'validate' || used))
    .map((f) => f.error);
}

function get(root: unknown, path: YamlPath): unknown {
  let v = root;
  for (const k of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function set(root: Record<string, unknown>, path: YamlPath, value: unknown): void {
  const parent = get(root, path.slice(0, -1));
  if (parent && typeof parent === 'object') (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

function remove(root: Record<string, unknown>, path: YamlPath): void {
  const parent = get(root, path.slice(0, -1));
  if (!parent || typeof parent !== 'object') return;
  if (Array.isArray(parent)) parent[path[path.length - 1] as number] = undefined;
  else delete (parent as Record<string, unknown>)[path[path.length - 1] as string];
}
