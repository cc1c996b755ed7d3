import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import { yamlPathString } from '../../load/yaml.js';
import { writtenStrings } from '../../model/collector-env.js';
import { compareVersions } from '../../model/versions.js';
import { listenEndpoints, parseHostPort } from '../../model/collector.js';
import { atLeast, collectorVersionKnown, collectorVersionText, inRange, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';

/**
 * Bash-style `$VAR` in collector configs (collector.md §2.5, checked against the expandconverter and builder
 * sources of each release):
 * - before v0.104.0 the expandconverter expands `$VAR` and logs a deprecation warning;
 * - v0.104.0–v0.106.x (gate confmap.unifyEnvVarExpansion beta, converter still compiled into every build)
 *   refuse to start on any `$` followed by a name or a shell special character (`$1` too);
 *   from v0.105.0 the resolver turns `$$` into `$` before the converter runs, so `$$VAR` fails as well;
 * - from v0.107.0 the builder no longer compiles the converter in (#10510): `$VAR` is left as literal text.
 */
export const FATAL_FROM = '0.104.0';
export const LITERAL_FROM = '0.107.0';
const RESOLVER_UNESCAPES_FROM = '0.105.0';

/** One `$` reference in a string value: the run of dollars before the name, and the name (or special character). */
export interface DollarRef {
  /** Offset of the first `$` of the run, in the file. */
  offset: number;
  /** How many `$` precede the name. */
  dollars: number;
  name: string;
  /** A shell special (`$1`, `$*`, …), not an environment variable name. */
  special: boolean;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPECIAL = /[*#$@!?\-0-9]/;

/** `$` references in raw scalar text, skipping `${…}` (the resolver's syntax) and `$` before anything else. */
export function dollarRefs(raw: string, base = 0): DollarRef[] {
  const out: DollarRef[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '$') continue;
    let j = i;
    while (raw[j] === '$') j++;
    const dollars = j - i;
    if (raw[j] === '{') {
      const close = raw.indexOf('}', j);
      i = close < 0 ? raw.length : close;
      continue;
    }
    NAME.lastIndex = j;
    const m = NAME.exec(raw);
    if (m) out.push({ offset: base + i, dollars, name: m[0], special: false });
    else if (j < raw.length && SPECIAL.test(raw[j]) && raw[j] !== '$') out.push({ offset: base + i, dollars, name: raw[j], special: true });
    i = j - 1 + (m ? m[0].length : 0);
  }
  return out;
}

/** Defaults in `${env:VAR:-default}` exist from v0.110.0 (envprovider v1.16.0); before, the name is invalid. */
export const DEFAULTS_FROM = '0.110.0';

/** An unescaped `${VAR:-default}` or `${env:VAR:-default}` in raw scalar text. */
export interface DefaultRef {
  offset: number;
  length: number;
  scheme: boolean;
  name: string;
  fallback: string;
}

export function defaultRefs(raw: string, base = 0): DefaultRef[] {
  const out: DefaultRef[] = [];
  for (const m of raw.matchAll(/(\$+)\{(env:)?([A-Za-z_][A-Za-z0-9_]*):-([^}]*)\}/g)) {
    if (m[1].length % 2 === 0) continue; // `$${…}` is escaped
    const offset = m.index! + m[1].length - 1;
    out.push({ offset: base + offset, length: m[0].length - m[1].length + 1, scheme: !!m[2], name: m[3], fallback: m[4] });
  }
  return out;
}

/** Whether the expandconverter sees an unescaped `$name` (and so, from v0.104.0 to v0.106.x, refuses to start). */
export function expandedAt(version: string, dollars: number): boolean {
  if (atLeast(version, LITERAL_FROM)) return false;
  // From v0.105.0 the resolver first halves each `$$`; the converter then pairs what is left.
  const seen = atLeast(version, RESOLVER_UNESCAPES_FROM) ? Math.ceil(dollars / 2) : dollars;
  return seen % 2 === 1;
}

export function fatalAt(version: string, dollars: number): boolean {
  return inRange(version, FATAL_FROM, LITERAL_FROM) && expandedAt(version, dollars);
}

/** A `$` reference as found: the text, where, and the version text. */
interface Ref {
  token: string;
  where: string;
  version: string;
}

/** The resolver's complaint about `$name`. */
const rejected = (name: string) =>
  `"variable substitution using $VAR has been deprecated in favor of \${VAR} and \${env:VAR} - please update $${name} or temporarily disable the confmap.unifyEnvVarExpansion feature gate"`;

const messages = {
  defaultWithoutScheme: {
    message: (d: Ref) => `"${d.token}": a default needs the env: scheme; the collector refuses to start`,
    detail: (d: Ref & { name: string; fallback: string }) =>
      `in ${d.where}: ${d.version} says cannot resolve the configuration: invalid uri: "${d.name}:-${d.fallback}"`,
  },
  defaultTooEarly: {
    message: (d: Ref & { since: string }) => `"${d.token}": defaults in \${env:…} exist only from v${d.since}; the collector refuses to start`,
    detail: (d: Ref & { name: string; fallback: string }) =>
      `in ${d.where}: ${d.version} says environment variable "${d.name}:-${d.fallback}" has invalid name: must match regex ^[a-zA-Z_][a-zA-Z0-9_]*$`,
  },
  /** `address`: the listen address as the collector is left with it; `host` its host part, when it parses. */
  literalListen: {
    message: (d: Ref) => `"${d.token}" in ${d.where} is left literal: the collector exits at start`,
    detail: (d: Ref & { dollars: number; address: string; host?: string }) => {
      const failure = d.host?.includes('$')
        ? `"listen tcp: lookup ${d.host}: no such host"`
        : `"listen tcp: lookup tcp/${d.address.slice(d.address.lastIndexOf(':') + 1)}: unknown port"`;
      const why = d.dollars % 2 === 0 ? 'reads "$$" as the escape for a literal "$"' : 'does not expand $VAR (since v0.107.0)';
      return `${d.version} ${why}, so it listens on the literal address ${JSON.stringify(d.address)} and says ${failure}`;
    },
  },
  /** A listen address left literal from v0.107.0 on, where the version in force is not known (`unknown`). */
  literalListenFromUnknown: {
    message: (d: Ref) => `"${d.token}" in ${d.where} is left literal: collectors from v${LITERAL_FROM} on exit at start`,
    detail: (d: Ref & { dollars: number; address: string; unknown: string }) =>
      `collectors from v${LITERAL_FROM} on ${d.dollars % 2 === 0 ? 'read "$$" as a literal "$"' : 'do not expand $VAR'}, so they listen on the literal address ${JSON.stringify(d.address)}; ${d.unknown}`,
  },
  refused: {
    message: (d: Ref) => `"${d.token}" in ${d.where}: the collector refuses to start on $VAR`,
    detail: (d: Ref & { dollars: number; name: string }) => `${d.version} says ${rejected(d.name)}`,
  },
  stillExpanded: {
    message: (d: Ref) => `"${d.token}" in ${d.where}: $VAR is refused by v0.104.0–v0.106.x and left literal from v0.107.0`,
    detail: (d: Ref & { dollars: number }) =>
      `${d.version} still expands $VAR (with a deprecation warning); from v0.107.0 it is left as the literal text "${d.token}"`,
  },
  leftLiteral: {
    message: (d: Ref & { name: string }) => `"${d.token}" in ${d.where} is the literal text, not the variable ${d.name}`,
    detail: (d: Ref & { dollars: number }) => `${d.version} does not expand $VAR (since v0.107.0)`,
  },
} as const;
type EnvSyntaxFinding = RuleFinding<typeof messages>;
/** A message id with its data, for the `$VAR` findings that choose one of several. */
type Said = { [K in keyof typeof messages]: { kind: K; data: Extract<EnvSyntaxFinding, { kind: K }>['data'] } }[keyof typeof messages];

export default defineRule({
  id: 'collector/env-syntax',
  severity: 'error',
  title: 'Environment variable syntax the collector does not expand',
  checks:
    'String values of the collector config for `$VAR` without braces (not `${VAR}`, `${env:VAR}` or an escaped `$$`); on v0.104.0–v0.106.x also `$1`-style references and, from v0.105.0, `$$VAR`, which those releases unescape and then reject. Also defaults: `${VAR:-default}` without the `env:` scheme, and `${env:VAR:-default}` before v0.110.0.',
  why: 'v0.104.0–v0.106.x refuse to start: "variable substitution using $VAR has been deprecated in favor of ${VAR} and ${env:VAR} - please update $VAR or temporarily disable the confmap.unifyEnvVarExpansion feature gate". From v0.107.0 the collector no longer expands it at all: the endpoint, header or token is the literal text `$VAR`, so exports fail or authenticate with a wrong value, silently. A default without the scheme, `${VAR:-default}`, stops every version with `invalid uri: "VAR:-default"`, and `${env:VAR:-default}` before v0.110.0 with `environment variable "VAR:-default" has invalid name`.',
  fix: 'unsafe',
  fixDescription:
    'Rewrites `$VAR` as `${env:VAR}`, and `${VAR:-default}` as `${env:VAR:-default}` (on v0.110.0 or later). Unsafe: a `$` that was meant literally (a password, a regex) should be `$$` instead.',
  versions:
    '`$VAR`: error v0.104.0–v0.106.x (refuses to start), warning before (deprecated) and from v0.107.0 (left literally); `${VAR:-default}`: error on all versions; `${env:VAR:-default}`: error before v0.110.0',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\n    headers:\n      X-Scope-OrgID: $LOKI_TENANT\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\n    headers:\n      X-Scope-OrgID: ${env:LOKI_TENANT}\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/pull/10435 (gate beta, v0.104.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/10510 (expandconverter deprecated and dropped from the builder, v0.107.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.104.0/confmap/converter/expandconverter/expand.go',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.106.0/cmd/builder/internal/builder/templates/main.go.tmpl',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.107.0/cmd/builder/internal/builder/templates/main.go.tmpl',
    'https://github.com/open-telemetry/opentelemetry-collector/issues/10585',
    'https://github.com/open-telemetry/opentelemetry-collector/issues/10613',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) => {
    if (!('kind' in finding) || finding.kind === undefined) return false;
    if (finding.kind === 'defaultWithoutScheme') return true;
    if (finding.kind === 'defaultTooEarly') return compareVersions(version, DEFAULTS_FROM) < 0;
    // A `$` left literal in a listen address: the bind fails at start.
    if (finding.kind === 'literalListen' && atLeast(version, LITERAL_FROM)) return true;
    return fatalAt(version, finding.data.dollars);
  },
  check(ws) {
    const version = ws.stack.collector.version;
    const known = collectorVersionKnown(ws.stack);
    const findings: EnvSyntaxFinding[] = [];
    for (const c of ws.stack.collectors) {
      if (c.yaml.problems.length) continue;
      const text = c.yaml.source.text;
      const listenPaths = new Set(listenEndpoints(c, version).map((e) => yamlPathString(e.path)));
      for (const v of writtenStrings(c.yaml)) {
        for (const d of defaultRefs(v.raw, v.start)) {
          const token = text.slice(d.offset, d.offset + d.length);
          const where = yamlPathString(v.path);
          const at = { file: c.file, range: c.yaml.source.range(d.offset, d.length), path: where };
          const supported = atLeast(version, DEFAULTS_FROM);
          if (!d.scheme) {
            const edits = supported ? [{ file: c.file, offset: d.offset + 2, length: 0, text: 'env:' }] : [];
            findings.push({
              ...at,
              severity: 'error',
              kind: 'defaultWithoutScheme',
              data: { token, where, version: collectorVersionText(ws.stack), name: d.name, fallback: d.fallback },
              hint: supported
                ? `write \${env:${d.name}:-${d.fallback}}`
                : `write \${env:${d.name}} and set the variable (defaults need v${DEFAULTS_FROM} or later)`,
              fix: fix('unsafe', `write \${env:${d.name}:-${d.fallback}}`, edits),
            });
          } else if (!supported) {
            findings.push({
              ...at,
              severity: 'error',
              kind: 'defaultTooEarly',
              data: { token, where, version: collectorVersionText(ws.stack), name: d.name, fallback: d.fallback, since: DEFAULTS_FROM },
              hint: `write \${env:${d.name}} and always set ${d.name}, or use v${DEFAULTS_FROM} or later`,
            });
          }
        }
        for (const ref of dollarRefs(v.raw, v.start)) {
          const token = text.slice(ref.offset, ref.offset + ref.dollars + ref.name.length);
          const where = yamlPathString(v.path);
          // Left literal in an address the collector listens on, any `$` (even an escaped `$$`) makes the bind fail.
          const literalListen = atLeast(version, LITERAL_FROM) && listenPaths.has(where);
          const fatal = fatalAt(version, ref.dollars) || literalListen;
          const unescaped = ref.dollars % 2 === 1 && !ref.special;
          if (!fatal && !unescaped) continue;
          const at = { file: c.file, range: c.yaml.source.range(ref.offset, token.length), path: where };
          const name = ref.name;
          const base = { token, where, version: collectorVersionText(ws.stack), dollars: ref.dollars };
          let said: Said;
          let hint: string;
          if (literalListen) {
            const address = v.value.replace(/\$\$/g, '$'); // the resolver's unescaping
            said = known
              ? { kind: 'literalListen', data: { ...base, address, host: parseHostPort(address)?.host } }
              : { kind: 'literalListenFromUnknown', data: { ...base, address, unknown: unknownCollectorText(ws.stack) } };
            hint =
              ref.dollars % 2 === 1 && !ref.special ? `write \${env:${name}}` : 'a listen address cannot hold a "$"; write the host and port, or ${env:NAME}';
          } else if (fatal) {
            said = { kind: 'refused', data: { ...base, name } };
            hint = ref.special
              ? `a literal "$${name}" cannot be written on v0.104.0–v0.106.x; use another release`
              : ref.dollars > 1
                ? `v0.105.0–v0.106.x turn "$$" into "$" and then reject "$${name}", so a literal "$" before a name cannot be written there; from v0.107.0 "$$${name}" gives the text "$${name}"`
                : `write \${env:${name}}`;
          } else if (compareVersions(version, FATAL_FROM) < 0) {
            said = { kind: 'stillExpanded', data: base };
            hint = `write \${env:${name}}`;
          } else {
            said = { kind: 'leftLiteral', data: { ...base, name } };
            hint = `write \${env:${name}} (or $$${name} if the text "$${name}" is meant)`;
          }
          const edits = unescaped && ref.dollars === 1 ? [{ file: c.file, offset: ref.offset, length: token.length, text: `\${env:${name}}` }] : [];
          const severity = fatal && (known || !literalListen) ? 'error' : 'warning';
          if (literalListen && !known) hint = `${hint}; ${PIN_COLLECTOR}`;
          findings.push({ ...at, severity, ...said, hint, fix: fix('unsafe', `write \${env:${name}}`, edits) });
        }
      }
    }
    return findings;
  },
});
