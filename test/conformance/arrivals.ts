// What reaches the OTLP sinks, as comparable lines: from the doctor's prediction and from real Claude Code.
// Shared by the prediction conformance suite and the --fix conformance suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Prediction } from '../../src/model/prediction.js';
import type { Observed } from '../harness/run-claude.js';
import type { ConformanceCase } from './cases.js';

/** Built-in resource attributes Claude Code adds itself; everything else comes from OTEL_RESOURCE_ATTRIBUTES. */
const BUILT_IN = new Set(['service.version', 'os.type', 'os.version', 'host.arch', 'wsl.version']);

/** Resource attributes of the first http/json export (JSON is readable without a protobuf schema). */
export function observedResource(o: Observed): Record<string, string> | undefined {
  for (const r of o.records) {
    if (!(r.contentType ?? '').includes('json')) continue;
    const body = JSON.parse(r.body.toString('utf8'));
    const res = (body.resourceMetrics ?? body.resourceLogs ?? body.resourceSpans)?.[0]?.resource;
    if (!res) continue;
    const out: Record<string, string> = {};
    for (const a of res.attributes ?? []) if (!BUILT_IN.has(a.key)) out[a.key] = String(a.value?.stringValue ?? JSON.stringify(a.value));
    return out;
  }
  return undefined;
}

/** Attribute values of OTLP/JSON, as strings (a boolean true is "true"). */
function attributeMap(list: { key: string; value?: Record<string, unknown> }[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, String(Object.values(a.value ?? {})[0])]));
}

/** Attributes of the first metric datapoint and the first event among the http/json exports. */
export function observedPointAttributes(o: Observed): { datapoint?: Record<string, string>; event?: Record<string, string> } {
  const out: { datapoint?: Record<string, string>; event?: Record<string, string> } = {};
  for (const r of o.records) {
    if (!(r.contentType ?? '').includes('json')) continue;
    const body = JSON.parse(r.body.toString('utf8'));
    const metric = body.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0];
    const point = (metric?.sum ?? metric?.gauge ?? metric?.histogram)?.dataPoints?.[0];
    if (point && !out.datapoint) out.datapoint = attributeMap(point.attributes);
    const record = body.resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords?.[0];
    if (record && !out.event) out.event = attributeMap(record.attributes);
  }
  return out;
}

export function predictedResource(p: Prediction): Record<string, string> {
  return { ...p.resource.attributes, 'service.name': p.resource.serviceName };
}

const GRPC_PATH = { metrics: 'MetricsService', logs: 'LogsService', traces: 'TraceService' } as const;
const GRPC_PACKAGE = { metrics: 'metrics', logs: 'logs', traces: 'trace' } as const;

export interface Ports {
  http: number;
  grpc: number;
  /** The HOME the run uses ({{HOME}}). */
  home: string;
}

/**
 * The standard OTLP ports (a collector's gRPC and HTTP receivers). The doctor's port rules know only these, so a case
 * about ports shows the doctor the sinks at these ports and gives Claude Code the same files at the sinks' real ports.
 */
export const STANDARD_PORTS = { http: 4318, grpc: 4317 } as const;

/** The sinks' real ports in place of the standard ones (in a file's text or a URL). */
export function atSinkPorts(text: string, p: Ports): string {
  return text.replace(/127\.0\.0\.1:(4318|4317)(?!\d)/g, (_m, port: string) => `127.0.0.1:${Number(port) === STANDARD_PORTS.http ? p.http : p.grpc}`);
}

/** A prediction made on the standard ports, moved to the sinks' real ports. */
export function predictionAtSinkPorts(prediction: Prediction, p: Ports): Prediction {
  return { ...prediction, signals: prediction.signals.map((s) => (s.url ? { ...s, url: atSinkPorts(s.url, p) } : s)) };
}

export function fill(text: string, p: Ports): string {
  return text
    .replaceAll('{{HOME}}', p.home)
    .replaceAll('{{HTTP}}', `http://127.0.0.1:${p.http}`)
    .replaceAll('{{GRPC}}', `http://127.0.0.1:${p.grpc}`)
    .replaceAll('{{HTTP_PORT}}', String(p.http))
    .replaceAll('{{GRPC_PORT}}', String(p.grpc));
}

export function fillAll(files: Record<string, string> | undefined, p: Ports): Record<string, string> | undefined {
  return files && Object.fromEntries(Object.entries(files).map(([k, v]) => [k, fill(v, p)]));
}

export function writeTree(root: string, files: Record<string, string> | undefined): void {
  for (const [rel, text] of Object.entries(files ?? {})) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** A case's files as the doctor reads them under `root` (home, project, managed, shell.env), with these ports. */
export function writeCaseFiles(root: string, c: ConformanceCase, p: Ports): void {
  writeTree(join(root, 'home'), fillAll(c.home, p));
  writeTree(join(root, 'project'), fillAll(c.project, p));
  mkdirSync(join(root, 'managed'), { recursive: true });
  writeTree(join(root, 'managed'), fillAll(c.managed, p));
  const shell = Object.entries(c.shell ?? {}).filter(([, v]) => v !== undefined);
  writeFileSync(join(root, 'shell.env'), `${shell.map(([k, v]) => `export ${k}='${fill(String(v), p)}'`).join('\n')}\n`);
}

/** `check --format json` of the files writeCaseFiles wrote, for one Claude Code version. */
export function doctorArgs(root: string, c: ConformanceCase, p: Ports, version: string): string[] {
  const args = ['check', '--format', 'json', '--no-shell-env', '--claude-version', version];
  args.push('--home', join(root, 'home'), '--project', join(root, 'project'), '--managed-dir', join(root, 'managed'), '--env-file', join(root, 'shell.env'));
  if (c.settingsArg) args.push('--settings', fill(c.settingsArg, p));
  return args;
}

export interface DoctorFinding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/**
 * Findings the case does not expect (false findings): any finding outside the case's rules (those that apply on
 * this version) and its alsoFinds. Info notes of shadowed-variable are allowed: a precedence case shadows a value
 * on purpose, and which value wins is what the arrivals prove.
 */
export function falseFindings(findings: DoctorFinding[], c: ConformanceCase, rulesApply: boolean): string[] {
  const allowed = new Set([...(rulesApply ? c.rules : []), ...(c.alsoFinds ?? [])]);
  return findings
    .filter((f) => !allowed.has(f.ruleId) && !(f.ruleId === 'settings/shadowed-variable' && f.severity === 'info'))
    .map((f) => `${f.severity} ${f.ruleId}: ${f.message}`);
}

/** The OTLP exports the prediction says Claude Code sends, wherever they go. */
function predictedSends(prediction: Prediction) {
  if (!prediction.telemetryEnabled || prediction.initFailure) return [];
  return prediction.signals.flatMap((s) => {
    if (!s.exported || !s.exporters.includes('otlp') || !s.url || !s.protocol) return [];
    const url = new URL(s.url);
    return [{ ...s, protocol: s.protocol, url, port: Number(url.port), transport: s.protocol === 'grpc' ? ('grpc' as const) : ('http' as const) }];
  });
}

/**
 * Signals the prediction sends to one sink in the other sink's transport (gRPC to the HTTP/1.1 sink, HTTP to the
 * h2c sink): they cannot arrive, and predictedArrivals leaves them out. The doctor must say so itself (a finding
 * naming the signal), or the case would pass on this filter alone.
 */
export function sentToTheOtherTransport(prediction: Prediction, p: Ports): { signal: string; protocol: string; port: number }[] {
  return predictedSends(prediction)
    .filter((s) => (s.transport === 'grpc' && s.port === p.http) || (s.transport === 'http' && s.port === p.grpc))
    .map((s) => ({ signal: s.signal, protocol: s.protocol, port: s.port }));
}

/** What the prediction says will reach the sinks, as comparable lines. A sink speaks one transport only. */
export function predictedArrivals(prediction: Prediction, p: Ports): string[] {
  const lines: string[] = [];
  for (const s of predictedSends(prediction)) {
    const { url, port, transport } = s;
    if (!(transport === 'http' && port === p.http) && !(transport === 'grpc' && port === p.grpc)) continue;
    const path = transport === 'grpc' ? `/opentelemetry.proto.collector.${GRPC_PACKAGE[s.signal]}.v1.${GRPC_PATH[s.signal]}/Export` : url.pathname;
    lines.push(line(s.signal, s.protocol, port, path, s.headerNames, s.signal === 'metrics' ? [s.temporality!] : undefined));
  }
  return lines.sort();
}

export function observedArrivals(o: Observed): string[] {
  return o.signals.map((s) => line(s.signal, s.protocol, s.port, s.path, s.headerNames, s.temporality)).sort();
}

function line(signal: string, protocol: string, port: number, path: string, headers: string[], temporality?: string[]): string {
  return `${signal} ${protocol} :${port}${path} headers=[${headers.join(',')}]${temporality ? ` ${temporality.join(',')}` : ''}`;
}
