// What reaches the OTLP sinks, as comparable lines: from the doctor's prediction and from real Claude Code.
// Shared by the prediction conformance suite and the --fix conformance suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Prediction } from '../../src/model/prediction.js';
import type { Observed } from '../harness/run-claude.js';

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

/** What the prediction says will reach the sinks, as comparable lines. A sink speaks one transport only. */
export function predictedArrivals(prediction: Prediction, p: Ports): string[] {
  if (!prediction.telemetryEnabled || prediction.initFailure) return [];
  const lines: string[] = [];
  for (const s of prediction.signals) {
    if (!s.exported || !s.exporters.includes('otlp') || !s.url || !s.protocol) continue;
    const url = new URL(s.url);
    const port = Number(url.port);
    const transport = s.protocol === 'grpc' ? 'grpc' : 'http';
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
