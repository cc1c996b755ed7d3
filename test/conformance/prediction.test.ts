// The oracle for the prediction and for every settings rule that changes what is exported:
// each case runs through real Claude Code 2.1.197 (mock Anthropic API, local OTLP sinks) and
// through `claude-otel-doctor check --format json`; what arrives must equal what the doctor predicts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import type { Prediction } from '../../src/model/prediction.js';
import { CLAUDE_VERSION, claudeBinary } from '../harness/claude-path.js';
import { canUnshareMount, observeTelemetry, type Observed } from '../harness/run-claude.js';
import { runCli } from '../helpers/cli.js';
import { CASES, type ConformanceCase } from './cases.js';

const inCI = process.env.CI === 'true';
const available = claudeBinary() !== undefined;
if (!available && !inCI) console.warn(`\n*** SKIPPING prediction conformance: Claude Code ${CLAUDE_VERSION} not provisioned (node scripts/provision-claude.mjs). ***\n`);
/** Built-in resource attributes Claude Code adds itself; everything else comes from OTEL_RESOURCE_ATTRIBUTES. */
const BUILT_IN = new Set(['service.version', 'os.type', 'os.version', 'host.arch', 'wsl.version']);

/** Resource attributes of the first http/json export (JSON is readable without a protobuf schema). */
function observedResource(o: Observed): Record<string, string> | undefined {
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

function predictedResource(p: Prediction): Record<string, string> {
  return { ...p.resource.attributes, 'service.name': p.resource.serviceName };
}

const suite = available || inCI ? describe : describe.skip;
const namespaces = canUnshareMount();

const GRPC_PATH = { metrics: 'MetricsService', logs: 'LogsService', traces: 'TraceService' } as const;
const GRPC_PACKAGE = { metrics: 'metrics', logs: 'logs', traces: 'trace' } as const;

interface Ports {
  http: number;
  grpc: number;
  /** The HOME the run uses ({{HOME}}). */
  home: string;
}

function fill(text: string, p: Ports): string {
  return text
    .replaceAll('{{HOME}}', p.home)
    .replaceAll('{{HTTP}}', `http://127.0.0.1:${p.http}`)
    .replaceAll('{{GRPC}}', `http://127.0.0.1:${p.grpc}`)
    .replaceAll('{{HTTP_PORT}}', String(p.http))
    .replaceAll('{{GRPC_PORT}}', String(p.grpc));
}

function fillAll(files: Record<string, string> | undefined, p: Ports): Record<string, string> | undefined {
  return files && Object.fromEntries(Object.entries(files).map(([k, v]) => [k, fill(v, p)]));
}

function writeTree(root: string, files: Record<string, string> | undefined): void {
  for (const [rel, text] of Object.entries(files ?? {})) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** Runs the doctor on the same files Claude Code gets and returns its prediction. */
function doctorPrediction(c: ConformanceCase, ports: Ports): { prediction: Prediction; ruleIds: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'cod-predict-'));
  const p = { ...ports, home: join(root, 'home') };
  try {
    writeTree(join(root, 'home'), fillAll(c.home, p));
    writeTree(join(root, 'project'), fillAll(c.project, p));
    writeTree(join(root, 'managed'), fillAll(c.managed, p));
    const shell = Object.entries(c.shell ?? {}).filter(([, v]) => v !== undefined);
    writeFileSync(join(root, 'shell.env'), shell.map(([k, v]) => `export ${k}='${fill(String(v), p)}'`).join('\n') + '\n');
    const args = ['check', '--format', 'json', '--no-shell-env', '--claude-version', CLAUDE_VERSION];
    args.push('--home', join(root, 'home'), '--project', join(root, 'project'), '--managed-dir', join(root, 'managed'), '--env-file', join(root, 'shell.env'));
    if (c.settingsArg) args.push('--settings', fill(c.settingsArg, p));
    const res = runCli(args, { CLAUDE_CONFIG_DIR: undefined });
    expect(res.stderr, c.name).toBe('');
    const report = JSON.parse(res.stdout);
    return { prediction: report.effective[0].prediction, ruleIds: report.findings.map((f: { ruleId: string }) => f.ruleId) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** What the prediction says will reach the sinks, as comparable lines. A sink speaks one transport only. */
function predictedArrivals(prediction: Prediction, p: Ports): string[] {
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

function observedArrivals(o: Observed): string[] {
  return o.signals.map((s) => line(s.signal, s.protocol, s.port, s.path, s.headerNames, s.temporality)).sort();
}

function line(signal: string, protocol: string, port: number, path: string, headers: string[], temporality?: string[]): string {
  return `${signal} ${protocol} :${port}${path} headers=[${headers.join(',')}]${temporality ? ` ${temporality.join(',')}` : ''}`;
}

suite(`prediction conformance with real Claude Code ${CLAUDE_VERSION}`, () => {
  for (const c of CASES) {
    const needsNamespace = c.managed !== undefined;
    const run = needsNamespace && !namespaces && !inCI ? it.skip : it;
    run(c.name, async () => {
      let ports: Ports = { http: 0, grpc: 0, home: '' };
      const debugDir = mkdtempSync(join(tmpdir(), 'cod-debug-'));
      const debugFile = join(debugDir, 'debug.txt');
      const observed = await observeTelemetry((s) => {
        ports = { http: s.httpPort, grpc: s.grpcPort, home: s.home };
        const etc = c.managed && Object.fromEntries(Object.entries(fillAll(c.managed, ports)!).map(([k, v]) => [`claude-code/${k}`, v]));
        const shellEnv = Object.fromEntries(Object.entries(c.shell ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, fill(String(v), ports)]));
        const extraArgs = c.extra ? ['--debug-file', debugFile] : undefined;
        return { home: fillAll(c.home, ports), project: fillAll(c.project, ports), etc, shellEnv, settingsArg: c.settingsArg && fill(c.settingsArg, ports), extraArgs };
      });
      expect(observed.exitCode, `${c.name}: claude exited non-zero`).toBe(0);
      const { prediction, ruleIds } = doctorPrediction(c, ports);
      const arrived = observedArrivals(observed);
      if (process.env.CONFORMANCE_DEBUG) console.log(c.name, arrived);
      expect(arrived, `${c.name}: what arrived differs from the prediction`).toEqual(predictedArrivals(prediction, ports));
      for (const r of c.rules) expect(ruleIds, `${c.name}: ${r} should fire`).toContain(r);
      const resource = observedResource(observed);
      if (resource) expect(resource, `${c.name}: resource attributes differ from the prediction`).toEqual(predictedResource(prediction));
      try {
        if (c.extra) c.extra(observed, prediction, existsSync(debugFile) ? readFileSync(debugFile, 'utf8') : '');
      } finally {
        rmSync(debugDir, { recursive: true, force: true });
      }
      // A case without a defect must show data really flowing, or it proves nothing.
      if (c.rules.length === 0) expect(arrived.length, `${c.name}: nothing arrived`)[c.nothingArrives ? 'toBe' : 'toBeGreaterThan'](0);
    }, 60_000);
  }
});

describe('conformance coverage', () => {
  it('every rule whose findings change what is exported has a failing case here', () => {
    const needed = RULES.filter((r) => r.oracle === 'claude-code').map((r) => r.id);
    const inCases = new Set(CASES.flatMap((c) => c.rules));
    expect(needed.filter((id) => !inCases.has(id))).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });
});
