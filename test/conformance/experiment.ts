// One experiment on one provisioned Claude Code version, for measuring a version boundary by hand:
//   npx tsx test/conformance/experiment.ts <version> '<case name substring>'
// Prints what arrived, the resource and datapoint/event attributes of the first http/json exports,
// whether bodies were chunked, the metrics interval and the [WARN] lines of the debug log.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { observeTelemetry } from '../harness/run-claude.js';
import { CASES } from './cases.js';
import { fill, fillAll, observedArrivals, type Ports } from './arrivals.js';

const [version, filter] = process.argv.slice(2);
const c = CASES.find((x) => x.name.includes(filter ?? ''));
if (!version || !c) {
  console.error('usage: experiment.ts <version> <case name substring>');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'cod-exp-'));
const debugFile = join(dir, 'debug.txt');
const o = await observeTelemetry((s) => {
  const ports: Ports = { http: s.httpPort, grpc: s.grpcPort, home: s.home };
  const etc = c.managed && Object.fromEntries(Object.entries(fillAll(c.managed, ports)!).map(([k, v]) => [`claude-code/${k}`, v]));
  const shellEnv = Object.fromEntries(
    Object.entries(c.shell ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, fill(String(v), ports)]),
  );
  return {
    home: fillAll(c.home, ports),
    project: fillAll(c.project, ports),
    etc,
    shellEnv,
    settingsArg: c.settingsArg && fill(c.settingsArg, ports),
    extraArgs: ['--debug-file', debugFile],
    claudeVersion: version,
  };
});
console.log(`== ${version} :: ${c.name} (exit ${o.exitCode}, ${o.durationMs} ms)`);
console.log(observedArrivals(o).join('\n') || '(nothing arrived)');
const attrs = (list: { key: string; value: Record<string, unknown> }[] | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, Object.values(a.value ?? {})[0]]));
for (const r of o.records) {
  if (!(r.contentType ?? '').includes('json')) continue;
  const b = JSON.parse(r.body.toString('utf8'));
  const rm = b.resourceMetrics?.[0];
  const rl = b.resourceLogs?.[0];
  if (rm)
    console.log(
      'metrics resource',
      JSON.stringify(attrs(rm.resource?.attributes)),
      '\n  datapoint',
      JSON.stringify(attrs(rm.scopeMetrics?.[0]?.metrics?.[0]?.sum?.dataPoints?.[0]?.attributes)),
    );
  if (rl)
    console.log(
      'logs resource',
      JSON.stringify(attrs(rl.resource?.attributes)),
      '\n  event',
      JSON.stringify(attrs(rl.scopeLogs?.[0]?.logRecords?.[0]?.attributes)),
    );
}
const te = [
  ...new Set(
    o.records
      .filter((r) => r.transport === 'http')
      .map((r) => (r.headerNames.includes('transfer-encoding') ? 'chunked' : r.headerNames.includes('content-length') ? 'content-length' : 'neither')),
  ),
];
console.log('http bodies:', te.join(',') || '-', ' requests:', o.records.length);
const log = existsSync(debugFile) ? readFileSync(debugFile, 'utf8') : '';
for (const l of log.split('\n')) if (/getOtlpReaders|3P telemetry|ignored|protocol=/i.test(l)) console.log('log:', l.slice(0, 300));
rmSync(dir, { recursive: true, force: true });
