import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { isTruthy, type EffectiveVar, type EnvSetting } from '../../model/claude-env.js';
import { unknownVariable } from '../../model/known-variables.js';
import { defaultProtocol, parseExporterList, protocolVar, VALID_EXPORTERS } from '../../model/prediction.js';
import { deliveries, type Delivery } from '../../model/routes.js';
import type { CollectorConfig, Pipeline } from '../../model/collector.js';
import type { Workspace } from '../../model/workspace.js';
import { atKey, atValue, where } from '../../model/settings-locate.js';
import { listWords, perSignalVar } from '../../model/otlp-signals.js';

const FLAGS = ['CLAUDE_CODE_ENHANCED_TELEMETRY_BETA', 'ENABLE_ENHANCED_TELEMETRY_BETA'] as const;
/** The per-signal variables that say where traces should go: set, they show the intent to send traces. */
const TRACES_DESTINATION = [perSignalVar('ENDPOINT', 'traces'), perSignalVar('PROTOCOL', 'traces'), perSignalVar('HEADERS', 'traces')];
/** Exporters that only print or drop what they get: a traces pipeline of these stores nothing worth sending to. */
const IDLE_EXPORTERS = new Set(['debug', 'logging', 'nop']);

/** A shell variable is every program's: Claude Code's settings may not have asked for traces at all. */
const SHELL_NOTE = '. Assumed: the shell exports it for Claude Code, not only for other programs';

/** `flag`: how the beta flags stand, for messages ("neither … is set", or the value that does not count as on). */
interface FlagOff {
  flag: string;
}

const messages = {
  flagOff: {
    message: 'OTEL_TRACES_EXPORTER is ignored without the enhanced-telemetry beta flag: Claude Code sends no spans',
    detail: (d: FlagOff & { exporter: string; where: string; shell: boolean }) =>
      `OTEL_TRACES_EXPORTER="${d.exporter}" is set ${d.where}; Claude Code reads it only when CLAUDE_CODE_ENHANCED_TELEMETRY_BETA (or ENABLE_ENHANCED_TELEMETRY_BETA) is on, and ${d.flag}${d.shell ? SHELL_NOTE : ''}`,
  },
  destinationOnly: {
    message: (d: { variables: string[] }) => `${listWords(d.variables)} ${d.variables.length > 1 ? 'are' : 'is'} set, but Claude Code sends no spans`,
    detail: (d: FlagOff & { where: string }) =>
      `set ${d.where}; traces need OTEL_TRACES_EXPORTER, which is set nowhere, and the enhanced-telemetry beta flag: ${d.flag}`,
  },
  noExporter: {
    message: (d: { variable: string }) => `${d.variable} is on, but OTEL_TRACES_EXPORTER is set nowhere: Claude Code sends no spans`,
    detail: (d: { where: string }) => `set ${d.where}; an unset traces exporter means off, not otlp`,
  },
  idlePipeline: {
    message: (d: { pipelines: string[] }) =>
      `traces pipeline${d.pipelines.length > 1 ? 's' : ''} ${listWords(d.pipelines)} ${d.pipelines.length > 1 ? 'get' : 'gets'} no spans: Claude Code's settings send none`,
    detail: (d: FlagOff & { pipelines: string[]; sends: string; receivers: string[]; file: string; exporters: string[] }) => {
      const many = d.pipelines.length > 1;
      return `Claude Code sends ${d.sends} to receiver ${listWords(d.receivers)} of ${d.file}, which ${many ? 'these pipelines read' : 'this pipeline reads'} too (exporting to ${d.exporters.join(', ')}), but no traces: they need OTEL_TRACES_EXPORTER, which is set nowhere, and the enhanced-telemetry beta flag: ${d.flag}. Assumed: ${many ? 'the pipelines are' : 'the pipeline is'} there for Claude Code's spans, not only other services'`;
    },
  },
} as const;
type TracesNotSentFinding = RuleFinding<typeof messages>;

/** How the beta flags stand, when neither is on: unset, or set to a value Claude Code does not count as on. */
function flagText(ws: Workspace): string {
  const set = FLAGS.map((name) => ws.claude.env.get(name)).filter((v): v is EffectiveVar => v !== undefined);
  if (set.length === 0) return 'neither CLAUDE_CODE_ENHANCED_TELEMETRY_BETA nor ENABLE_ENHANCED_TELEMETRY_BETA is set';
  return `${listWords(set.map((v) => `${v.name}="${v.value}" (${where(v.origin)})`))} ${set.length > 1 ? 'are' : 'is'} not on: only 1, true, yes or on count`;
}

/**
 * The variables to set so that Claude Code sends traces: the flag, an exporter, and a protocol when the traces signal
 * would have none (before 2.1.323 that would fail telemetry init for every signal).
 */
function toSet(ws: Workspace, o: { flag: boolean; exporter: boolean }): string {
  const env = ws.claude.env;
  const parts: string[] = [];
  if (o.flag) parts.push('CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1');
  const exporters = parseExporterList(env.get('OTEL_TRACES_EXPORTER')?.value);
  const valid = exporters.length > 0 && exporters.every((e) => VALID_EXPORTERS.traces.includes(e));
  if (o.exporter || !valid) parts.push('OTEL_TRACES_EXPORTER=otlp');
  const otlp = o.exporter || !valid || exporters.includes('otlp');
  let note = '';
  if (otlp && !protocolVar(env, 'traces')?.value.trim() && !defaultProtocol(ws.claude.version.version)) {
    // The protocol the other signals use is the one their endpoint speaks.
    const other = ws.claude.prediction.signals.find((s) => s.protocol)?.protocol;
    parts.push(`${perSignalVar('PROTOCOL', 'traces')}=${other ?? '<grpc, http/protobuf or http/json>'}`);
    note = ` (Claude Code ${ws.claude.version.version} has no default protocol: without one, telemetry init fails for every signal)`;
  }
  return `set ${listWords(parts)} beside the other telemetry variables${note}`;
}

const FLAG_NAMES: readonly string[] = FLAGS;
const EXPORTER = ['OTEL_TRACES_EXPORTER'];

/** Whether a value of one of these variables would turn traces on: a flag that is on, an exporter list naming one. */
const turnsOn = (s: EnvSetting) => (FLAG_NAMES.includes(s.name) ? isTruthy(s.value) : parseExporterList(s.value).length > 0);

/**
 * Whether another rule names why one of these variables does not apply, so that cause gets one finding: set, to a
 * value that would turn traces on, where Claude Code ignores it (a dropped file, project scope on newer versions:
 * invalid-json, project-scope-telemetry …), or under a misspelt name (unknown-variable).
 */
function explainedElsewhere(ws: Workspace, names: readonly string[]): boolean {
  return ws.claude.settings.some(
    (s) =>
      (names.includes(s.name) && s.ignored !== undefined && !ws.claude.env.has(s.name) && turnsOn(s)) ||
      (unknownVariable(s.name)?.suggestions.some((n) => names.includes(n)) ?? false),
  );
}

/** OTEL_TRACES_EXPORTER=none (alone or in a list naming nothing else): no traces are wanted, whatever else is set. */
function tracesOff(ws: Workspace): boolean {
  const value = ws.claude.env.get('OTEL_TRACES_EXPORTER')?.value;
  return value !== undefined && parseExporterList(value).length === 0 && value.split(',').some((e) => e.trim() === 'none');
}

/** The finding about Claude Code's settings: intent to send traces that Claude Code does not act on. */
function settingsFinding(ws: Workspace): TracesNotSentFinding | undefined {
  const env = ws.claude.env;
  if (tracesOff(ws)) return undefined;
  const exporter = env.get('OTEL_TRACES_EXPORTER');
  const named = parseExporterList(exporter?.value).length > 0;
  const flag = FLAGS.map((name) => env.get(name)).find((v) => v && isTruthy(v.value));
  if (flag) {
    // With the flag on, a named exporter is read: it sends, or settings/invalid-exporter reports it.
    if (named || explainedElsewhere(ws, EXPORTER)) return undefined;
    return {
      ...atKey(flag.origin, flag.name),
      severity: 'warning',
      kind: 'noExporter',
      data: { variable: flag.name, where: where(flag.origin) },
      hint: toSet(ws, { flag: false, exporter: true }),
    };
  }
  if (explainedElsewhere(ws, FLAG_NAMES)) return undefined;
  if (exporter && named) {
    const shell = exporter.origin.scope === 'shell';
    return {
      ...atValue(exporter.origin, exporter.name),
      ...(shell ? { severity: 'warning' as const } : {}),
      kind: 'flagOff',
      data: { exporter: exporter.value.trim(), where: where(exporter.origin), flag: flagText(ws), shell },
      hint: toSet(ws, { flag: true, exporter: false }),
    };
  }
  if (explainedElsewhere(ws, EXPORTER)) return undefined;
  const destination = TRACES_DESTINATION.map((name) => env.get(name)).filter((v): v is EffectiveVar => v !== undefined);
  if (destination.length === 0) return undefined;
  return {
    ...atKey(destination[0].origin, destination[0].name),
    severity: 'warning',
    kind: 'destinationOnly',
    data: { variables: destination.map((v) => v.name), where: where(destination[0].origin), flag: flagText(ws) },
    hint: toSet(ws, { flag: true, exporter: true }),
  };
}

type Received = Extract<Delivery, { status: 'received' }>;

/**
 * Per collector config, its traces pipelines with a real exporter that read a receiver Claude Code's other signals
 * reach: the stack expects Claude Code's spans there. One cause, so one finding per config.
 */
function idlePipelines(ws: Workspace): { pipelines: Pipeline[]; deliveries: Received[] }[] {
  const out = new Map<CollectorConfig, { pipelines: Pipeline[]; deliveries: Received[] }>();
  for (const d of deliveries(ws)) {
    if (d.status !== 'received') continue;
    const idle = d.collector.pipelines.filter(
      (p) => p.signal === 'traces' && p.receivers.some((r) => r.id === d.listener.receiver) && p.exporters.some((e) => !IDLE_EXPORTERS.has(e.type)),
    );
    if (idle.length === 0) continue;
    const entry = out.get(d.collector) ?? { pipelines: [], deliveries: [] };
    entry.pipelines = [...new Set([...entry.pipelines, ...idle])];
    entry.deliveries.push(d);
    out.set(d.collector, entry);
  }
  return [...out.values()];
}

export default defineRule({
  id: 'settings/traces-not-sent',
  severity: 'error',
  title: 'Traces configured, but Claude Code sends none',
  checks:
    "With telemetry on (and its init not failing): OTEL_TRACES_EXPORTER names an exporter while neither CLAUDE_CODE_ENHANCED_TELEMETRY_BETA nor ENABLE_ENHANCED_TELEMETRY_BETA is on (error; a warning when it comes from the shell, where it may be meant for other programs); only the per-signal traces endpoint, protocol or headers are set, with neither the flag nor a traces exporter (warning); a beta flag is on and OTEL_TRACES_EXPORTER is set nowhere (warning). Cross-file, when the settings show no such intent: a traces pipeline of a collector that Claude Code's metrics or logs reach reads that same receiver and exports somewhere real (not debug, logging or nop), while Claude Code sends no traces (warning, at the pipeline). OTEL_TRACES_EXPORTER=none says no traces are wanted: nothing is reported.",
  why: "Claude Code exports spans only under the enhanced-telemetry beta flag, and only with OTEL_TRACES_EXPORTER set: without the flag it does not even read OTEL_TRACES_EXPORTER, so `OTEL_TRACES_EXPORTER=otlp` alone sends nothing and says nothing (stderr is empty and the debug log has no line about it, on 2.1.197 and 2.1.332). The collector's traces pipeline, Tempo or Jaeger and Grafana's trace panels stay empty while metrics and events flow. The variable case is an error because the data the settings name is certainly not sent; the others are warnings: a traces endpoint may be a leftover, the flag may be set for later, and a traces pipeline may be meant for other services.",
  fix: 'none',
  versions: 'all versions (measured on 2.1.197 and 2.1.332: both flags, values 1 and true)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_TRACES_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "CLAUDE_CODE_ENHANCED_TELEMETRY_BETA": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_TRACES_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  messages,
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "traces-not-sent: OTEL_TRACES_EXPORTER=otlp without the beta flag sends no span" and the "traces:" cases beside it',
    'https://code.claude.com/docs/en/monitoring-usage#traces-beta (traces: CLAUDE_CODE_ENHANCED_TELEMETRY_BETA and OTEL_TRACES_EXPORTER)',
  ],
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const p = ws.claude.prediction;
    if (!p.telemetryEnabled || p.initFailure) return [];
    const own = settingsFinding(ws);
    if (own) return [own];
    const traces = p.signals.find((s) => s.signal === 'traces');
    // Sent (somewhere), or an exporter other rules judge, or turned off on purpose: no idle pipeline to speak of.
    if (!traces || traces.exporters.length > 0 || tracesOff(ws)) return [];
    if (explainedElsewhere(ws, FLAG_NAMES) || explainedElsewhere(ws, EXPORTER)) return [];
    return idlePipelines(ws).map(
      ({ pipelines, deliveries: ds }): TracesNotSentFinding => ({
        ...pipelines[0].value.location(),
        severity: 'warning',
        kind: 'idlePipeline',
        data: {
          pipelines: pipelines.map((p) => `"${p.id}"`),
          file: basename(ds[0].collector.file),
          sends: listWords([...new Set(ds.map((d) => d.route.signal))]),
          receivers: [...new Set(ds.map((d) => `"${d.listener.receiver}"`))],
          exporters: [...new Set(pipelines.flatMap((p) => p.exporters.map((e) => e.id)))],
          flag: flagText(ws),
        },
        hint: toSet(ws, { flag: true, exporter: true }),
      }),
    );
  },
});
