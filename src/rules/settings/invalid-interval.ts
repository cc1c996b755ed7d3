import { defineRule, type RuleFinding } from '../define.js';
import { fix, replaceEnvValue } from '../../model/edits.js';
import { activeSignals, claudeParseInt, INTERVAL_VAR } from '../../model/prediction.js';
import { INTERVAL_NUMBER_FROM } from '../../model/versions.js';
import { atValue, where } from '../../model/settings-locate.js';

/** Millisecond variables Claude Code reads with parseInt(value, 10) (claudeParseInt); `range` marks the export intervals. */
const VARIABLES: { name: string; what: string; fallback: number; range: boolean }[] = [
  { name: INTERVAL_VAR.metrics, what: 'metrics export interval', fallback: 60000, range: true },
  { name: INTERVAL_VAR.logs, what: 'logs export delay', fallback: 5000, range: true },
  { name: INTERVAL_VAR.traces, what: 'traces export delay', fallback: 5000, range: true },
  { name: 'CLAUDE_CODE_OTEL_SHUTDOWN_TIMEOUT_MS', what: 'flush time at exit', fallback: 2000, range: false },
  { name: 'CLAUDE_CODE_OTEL_FLUSH_TIMEOUT_MS', what: 'flush timeout', fallback: 5000, range: false },
  { name: 'CLAUDE_CODE_OTEL_HEADERS_HELPER_DEBOUNCE_MS', what: 'otelHeadersHelper refresh interval', fallback: 1740000, range: false },
];

const MIN_INTERVAL = 1000;
const MAX_INTERVAL = 600000;

const UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60000,
  min: 60000,
  mins: 60000,
  minute: 60000,
  minutes: 60000,
  h: 3600000,
  hr: 3600000,
  hour: 3600000,
  hours: 3600000,
};

/** The milliseconds a value was meant to say (`10s` → 10000, `1e4` → 10000, `5,000` → 5000), if it can be told. */
export function intendedMs(value: string): number | undefined {
  const t = value.trim();
  const unit = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(t);
  if (unit) {
    const factor = UNITS[unit[2].toLowerCase()];
    return factor === undefined ? undefined : Math.round(Number(unit[1]) * factor);
  }
  const plain = t.replace(/^(\d{1,3})([,_ ]\d{3})+$/, (m) => m.replace(/[,_ ]/g, ''));
  if (plain === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(plain)) return undefined;
  return Number(plain);
}

export interface IntervalReading {
  /** What Claude Code uses: parseInt's result, or undefined for NaN (then the default applies). */
  read?: number;
  intended?: number;
}

export function readInterval(value: string, claudeVersion: string): IntervalReading {
  const parsed = claudeParseInt(value, claudeVersion);
  return { read: Number.isNaN(parsed) ? undefined : parsed, intended: intendedMs(value) };
}

const ms = (n: number) => (n >= 60000 && n % 60000 === 0 ? `${n} ms (${n / 60000} min)` : n >= 1000 && n % 1000 === 0 ? `${n} ms (${n / 1000} s)` : `${n} ms`);

interface Setting {
  variable: string;
  value: string;
  where: string;
}

const what = (variable: string) => VARIABLES.find((v) => v.name === variable)!.what;
const shown = (d: Setting) => `${d.variable}=${JSON.stringify(d.value)} ${d.where}`;

const messages = {
  notANumber: {
    message: (d: Setting & { fallback: number }) => `${d.variable} is not a number: Claude Code uses the default ${what(d.variable)} of ${ms(d.fallback)}`,
    detail: (d: Setting) => shown(d),
  },
  misread: {
    message: (d: Setting & { read: number; intended: number }) => `${d.variable} is read as ${ms(d.read)}, not the ${ms(d.intended)} it says`,
    detail: (d: Setting & { version: string; read: number }) => `${shown(d)}: Claude Code ${d.version} makes the ${what(d.variable)} ${ms(d.read)}`,
  },
  tooShort: {
    message: (d: Setting & { read: number }) => `${d.variable} sets the ${what(d.variable)} to ${ms(d.read)}: Claude Code exports many times a second`,
    detail: (d: Setting & { read: number }) =>
      `${shown(d)}: below ${MIN_INTERVAL} ms, each export loading the collector and backend${d.read <= 0 ? '; and 0 or less is not a valid interval' : ''}`,
  },
  tooLong: {
    message: (d: Setting & { read: number }) => `${d.variable} sets the ${what(d.variable)} to ${ms(d.read)}: data arrives late`,
    detail: (d: Setting) =>
      `${shown(d)}: above ${MAX_INTERVAL / 60000} minutes data arrives late, and sessions shorter than that export only when Claude Code exits`,
  },
} as const;

export default defineRule({
  id: 'settings/invalid-interval',
  severity: 'error',
  title: 'Interval or timeout is not read as the milliseconds meant',
  checks:
    'OTEL_METRIC_EXPORT_INTERVAL, OTEL_LOGS_EXPORT_INTERVAL, OTEL_TRACES_EXPORT_INTERVAL (traces only under the beta flag) and the millisecond settings CLAUDE_CODE_OTEL_SHUTDOWN_TIMEOUT_MS, CLAUDE_CODE_OTEL_FLUSH_TIMEOUT_MS and CLAUDE_CODE_OTEL_HEADERS_HELPER_DEBOUNCE_MS. Error: Claude Code\'s reading differs from the milliseconds meant (`10s` is read as 10, `1m` as 1; `"1e4"` as 1 before 2.1.211). Warning: not a number at all (the default applies), or an export interval below 1000 or above 600000 ms. `60000ms` and JSON numbers are read correctly.',
  why: 'Claude Code reads these values with parseInt(value, 10) and no unit: `10s` becomes a 10 ms export interval (a stream of tiny exports that floods the collector and backend), `1e4` becomes 1 ms before 2.1.211 (which reads scientific notation and `5,000` as the number they say), and a `2s` shutdown timeout gives the exit flush 2 ms, so short `claude -p` runs lose their data. A value that is not a number silently falls back to the default.',
  fix: 'safe',
  fixDescription:
    'Writes the intended milliseconds as a plain number when the unit is clear: `10s` → `10000`, `1m` → `60000`, `1e4` → `10000`, `5,000` → `5000`. Values that are not numbers and out-of-range values have no automatic fix.',
  versions: `all versions (observed on 2.1.197, E18, E20); from ${INTERVAL_NUMBER_FROM} scientific notation (\`1e4\`) and thousands separators (\`5,000\`) are read as the number they say, units (\`10s\`) still are not`,
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_METRIC_EXPORT_INTERVAL": "10s"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_METRIC_EXPORT_INTERVAL": "10000"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-interval: 10s is read as 10 ms"',
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-interval: "1e4" is read as 1 ms before 2.1.211, as 10000 from it"',
    'https://code.claude.com/docs/en/monitoring-usage (interval and timeout defaults)',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const env = ws.claude.env;
    const tracesRead = activeSignals(env).includes('traces');
    const findings: RuleFinding<typeof messages>[] = [];
    for (const spec of VARIABLES) {
      if (spec.name === INTERVAL_VAR.traces && !tracesRead) continue;
      const v = env.get(spec.name);
      if (!v) continue;
      const { read, intended } = readInterval(v.value, ws.claude.version.version);
      const at = atValue(v.origin, v.name);
      const setting: Setting = { variable: v.name, value: v.value, where: where(v.origin) };
      if (read === undefined) {
        findings.push({
          ...at,
          severity: 'warning',
          kind: 'notANumber',
          data: { ...setting, fallback: spec.fallback },
          hint: 'write the milliseconds as a plain number, e.g. "10000", or remove it',
        });
        continue;
      }
      if (intended !== undefined && Math.abs(intended - read) >= 1 && Number.isInteger(intended) && intended > 0) {
        findings.push({
          ...at,
          severity: 'error',
          kind: 'misread',
          data: { ...setting, version: ws.claude.version.version, read, intended },
          hint: `write "${intended}" (plain milliseconds, no unit)`,
          fix: fix('safe', `set ${v.name} to "${intended}"`, replaceEnvValue(v.origin, v.name, String(intended))),
        });
        continue;
      }
      if (!spec.range) continue;
      if (read < MIN_INTERVAL) {
        findings.push({
          ...at,
          severity: 'warning',
          kind: 'tooShort',
          data: { ...setting, read },
          hint: `use milliseconds: ${spec.fallback} is the default; ${read > 0 && read <= 60 ? `if you meant ${read} seconds, write "${read * 1000}"` : 'keep it at 1000 or more'}`,
        });
      } else if (read > MAX_INTERVAL) {
        findings.push({
          ...at,
          severity: 'warning',
          kind: 'tooLong',
          data: { ...setting, read },
          hint: `use ${spec.fallback} (the default) or another value up to ${MAX_INTERVAL}`,
        });
      }
    }
    return findings;
  },
});
