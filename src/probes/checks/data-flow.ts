import { randomBytes } from 'node:crypto';
import { defineProbe, results, type Probe, type ProbeContext, type ProbeResult } from '../define.js';
import { grpcUnary, GRPC_STATUS } from '../grpc.js';
import { answerText, displayUrl, httpRequest, httpStatus, jsonBody } from '../http.js';
import type { HttpTarget } from '../plan.js';
import { logBody, logsJson, logsProtobuf, metricsJson, metricsProtobuf, OTLP_GRPC_PATH, PROBE_ID_ATTRIBUTE, type ProbeTelemetry } from '../otlp-payload.js';
import { flowWaitMs, type OtlpTarget, type ProbeFlags, type ProbePlan } from '../plan.js';
import { headersFor } from '../headers-helper.js';
import type { Workspace } from '../../model/workspace.js';

const messages = {
  stopsAtScrape: {
    message: 'metrics stop between the collector and Prometheus: Prometheus does not scrape the probe counter',
    detail: "sent to {{url}}; on the collector's exporter {{exporter}}, but not in Prometheus within {{wait}}",
  },
  stopsInCollector: {
    message: 'metrics stop inside the collector: the probe counter never reaches its prometheus exporter',
    detail: '{{url}} accepted the probe counter; {{exporter}} did not show it within {{wait}}',
  },
  metricsLost: {
    message: 'metrics do not reach Prometheus: the probe counter the endpoint accepted never arrived',
    detail: '{{url}} accepted the probe counter; Prometheus did not have it within {{wait}}',
  },
  logsLost: {
    message: 'logs do not reach Loki: the probe log record the endpoint accepted never arrived',
    detail: '{{url}} accepted the probe log record; Loki did not have it within {{wait}}',
  },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/data-flow',
  stage: 'End to end',
  title: 'Probe telemetry sent as Claude Code sends it arrives in Prometheus and Loki',
  checks:
    "Sends one counter (claude_otel_doctor_probe, with Claude Code's resource and temporality) and one log record, each tagged with a fresh claude_otel_doctor_probe_id, to the endpoint Claude Code uses with its protocol and headers; then watches the collector's exporter /metrics (when this host reaches it), Prometheus and Loki until they show up, and names the first hop where they did not.",
  why: 'Every hop can answer its own health check while data still goes nowhere: a pipeline that drops delta counters, a filter, an exporter Prometheus does not scrape, a logs exporter pointing at the wrong Loki path. Only data sent end to end proves the path, and the hop where it stops is the one to fix.',
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/otlphttp.go (even an empty export answers 200: a 200 proves the receiver listens, not that data reaches Prometheus or Loki)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/docs/querying/api.md (/api/v1/query)',
    'https://grafana.com/docs/loki/latest/reference/loki-http-api/ (/loki/api/v1/query_range)',
  ],
  messages,
  async run({ ws, plan, flags, onWait }) {
    const r = results(probe);
    if (!flags.send) return [r.skipped(undefined, 'end-to-end check off (--no-send)')];
    const id = randomBytes(6).toString('hex');
    const telemetry: ProbeTelemetry = { id, resource: plan.resource, temporality: 'delta', timeNs: BigInt(Date.now()) * 1_000_000n };
    const metrics = plan.otlp.find((t) => t.signals.includes('metrics'));
    const logs = plan.otlp.find((t) => t.signals.includes('logs'));
    const waitMs = flowWaitMs(plan, flags);
    const journey: Journey = { r, ws, plan, flags, waitMs, onWait };
    const jobs: Promise<ProbeResult>[] = [];
    if (metrics) jobs.push(metricsFlow(journey, { ...telemetry, temporality: metrics.temporality }, metrics));
    else jobs.push(Promise.resolve(r.skipped(undefined, 'metrics: Claude Code sends none over OTLP with these settings')));
    if (logs) jobs.push(logsFlow(journey, telemetry, logs));
    return Promise.all(jobs);
  },
});

/** What following either signal needs: where to send, where to look, and for how long. */
interface Journey {
  r: ReturnType<typeof results<typeof messages>>;
  ws: Workspace;
  plan: ProbePlan;
  flags: ProbeFlags;
  waitMs: number;
  onWait: ProbeContext['onWait'];
}

/** Sends the probe over one OTLP target; undefined when accepted, else why not. */
async function send(ws: Workspace, t: OtlpTarget, signal: 'metrics' | 'logs', tel: ProbeTelemetry, flags: ProbeFlags): Promise<string | undefined> {
  const helped = await headersFor(t, flags.timeoutMs, ws.root);
  if (!helped.ok) return `otelHeadersHelper failed: ${helped.error}`;
  if (t.protocol === 'grpc') {
    const a = await grpcUnary(
      new URL(t.url),
      OTLP_GRPC_PATH[signal],
      signal === 'metrics' ? metricsProtobuf(tel) : logsProtobuf(tel),
      t.headers,
      flags.timeoutMs,
    );
    if (!a.ok) return a.error;
    return a.status === 0
      ? undefined
      : a.status === undefined
        ? `${httpStatus(a.httpStatus)}, not gRPC`
        : `${GRPC_STATUS[a.status] ?? a.status}${a.message ? `: ${a.message}` : ''}`;
  }
  const json = t.protocol === 'http/json';
  const body = json ? (signal === 'metrics' ? metricsJson(tel) : logsJson(tel)) : signal === 'metrics' ? metricsProtobuf(tel) : logsProtobuf(tel);
  const a = await httpRequest(t.url, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf', ...helped.headers },
    body,
    timeoutMs: flags.timeoutMs,
  });
  if (!a.ok) return a.error;
  if (a.status >= 200 && a.status < 300) {
    // A 200 can still carry a partial success that rejected the data (OTLP partial_success).
    const partial = json
      ? jsonBody<{ partialSuccess?: { rejectedDataPoints?: unknown; rejectedLogRecords?: unknown; errorMessage?: unknown } }>(a)?.partialSuccess
      : undefined;
    // int64 counts come as JSON strings; anything but a number or a string counts as none.
    const rejected = Number(answerText(partial?.rejectedDataPoints ?? partial?.rejectedLogRecords, 20) ?? 0);
    return rejected > 0 ? `accepted with ${rejected} rejected: ${answerText(partial?.errorMessage) ?? ''}` : undefined;
  }
  return `${httpStatus(a.status)}`;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/**
 * Polls `look` every second until it says found (true) or time runs out (`deadline`, `wait.timeoutMs` after the
 * journey began), telling `onWait` what it waits `for` after each look.
 */
async function pollUntil(
  deadline: number,
  look: () => Promise<boolean>,
  wait: { for: string; timeoutMs: number; onWait?: ProbeContext['onWait'] },
): Promise<{ found: boolean; afterMs: number }> {
  const start = Date.now();
  const began = deadline - wait.timeoutMs;
  const told = (done: boolean) => wait.onWait?.({ what: wait.for, elapsedMs: Date.now() - began, timeoutMs: wait.timeoutMs, done });
  for (;;) {
    if (await look()) {
      told(true);
      return { found: true, afterMs: Date.now() - start };
    }
    if (Date.now() + 1000 > deadline) {
      told(true);
      return { found: false, afterMs: Date.now() - start };
    }
    told(false);
    await sleep(1000);
  }
}

/**
 * Sends the probe's `signal` over `t`: a skipped result when it cannot be sent (withheld, or refused: the endpoint
 * probes report a refusing endpoint, here it only ends the journey), else undefined.
 */
async function sendOrSkip(j: Journey, t: OtlpTarget, signal: 'metrics' | 'logs', tel: ProbeTelemetry): Promise<ProbeResult | undefined> {
  const via = displayUrl(t.url);
  if (t.withheld) return j.r.skipped(via, `${signal} not sent: ${t.withheld.reason}`);
  const refused = await send(j.ws, t, signal, tel, j.flags);
  if (!refused) return undefined;
  const endpointProbe = t.protocol === 'grpc' ? 'probe/otlp-grpc' : 'probe/otlp-http';
  return j.r.skipped(via, `${signal} not followed: the endpoint refuses them (${refused}); see ${endpointProbe}`);
}

async function reachable(t: HttpTarget, path: string, flags: ProbeFlags): Promise<boolean> {
  const a = await httpRequest(`${t.url}${path}`, { timeoutMs: flags.timeoutMs });
  return a.ok && a.status === 200;
}

async function metricsFlow(j: Journey, tel: ProbeTelemetry, t: OtlpTarget): Promise<ProbeResult> {
  const unsent = await sendOrSkip(j, t, 'metrics', tel);
  if (unsent) return unsent;
  const { r, plan, flags, waitMs, onWait } = j;
  const via = displayUrl(t.url);
  const label = `${PROBE_ID_ATTRIBUTE}="${tel.id}"`;
  const deadline = Date.now() + waitMs;
  const exporter = plan.exporterMetrics;
  const exporterUp = exporter ? await reachable(exporter, '', flags) : false;
  const promUp = await reachable(plan.prometheus, '/-/ready', flags);
  const query = `${plan.prometheus.url}/api/v1/query?query=${encodeURIComponent(`{${label}}`)}`;
  let seriesName = '';
  const [atExporter, atPrometheus] = await Promise.all([
    exporterUp && exporter
      ? pollUntil(
          deadline,
          async () => {
            const a = await httpRequest(exporter.url, { timeoutMs: flags.timeoutMs });
            return a.ok && a.body.includes(label);
          },
          { for: "the probe counter on the collector's exporter", timeoutMs: waitMs, onWait },
        )
      : undefined,
    promUp
      ? pollUntil(
          deadline,
          async () => {
            const a = await httpRequest(query, { timeoutMs: flags.timeoutMs });
            const result = a.ok ? jsonBody<{ data?: { result?: unknown } }>(a)?.data?.result : undefined;
            if (!Array.isArray(result) || result.length === 0) return false;
            seriesName = answerText((result[0] as { metric?: { __name__?: unknown } } | null)?.metric?.__name__, 100) ?? '';
            return true;
          },
          { for: 'the probe counter to reach Prometheus', timeoutMs: waitMs, onWait },
        )
      : undefined,
  ]);
  const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  if (atPrometheus?.found)
    return r.ok(via, `metrics flow: the probe counter reached Prometheus as ${seriesName || 'a series'} after ${secs(atPrometheus.afterMs)}`);
  const exporterShown = exporter ? displayUrl(exporter.url) : '';
  if (atPrometheus && atExporter?.found) {
    return r.failed(via, {
      kind: 'stopsAtScrape',
      data: { url: via, exporter: exporterShown, wait: secs(waitMs) },
      hint: "see probe/prometheus: is a target scraping the collector's exporter, and is it up?",
    });
  }
  if (atExporter && !atExporter.found) {
    return r.failed(via, {
      kind: 'stopsInCollector',
      data: { url: via, exporter: exporterShown, wait: secs(waitMs) },
      hint: 'the metrics pipeline of the receiver Claude Code sends to does not end in this prometheus exporter, or a processor drops the data (filter; delta counters into an exporter that drops delta)',
    });
  }
  if (atPrometheus) {
    return r.failed(via, {
      kind: 'metricsLost',
      data: { url: via, wait: secs(waitMs) },
      hint: "the collector's metrics pipeline does not reach Prometheus (exporter, scrape job or remote write); probe/prometheus and the collector log tell which",
    });
  }
  return r.skipped(via, 'metrics: the endpoint accepted the probe counter; no Prometheus or exporter reachable from here to look for it (--prometheus-url)');
}

async function logsFlow(j: Journey, tel: ProbeTelemetry, t: OtlpTarget): Promise<ProbeResult> {
  const unsent = await sendOrSkip(j, t, 'logs', tel);
  if (unsent) return unsent;
  const { r, plan, flags, waitMs, onWait } = j;
  const via = displayUrl(t.url);
  if (!(await reachable(plan.loki, '/ready', flags)))
    return r.skipped(via, 'logs: the endpoint accepted the probe log record; no Loki reachable from here to look for it (--loki-url)');
  const logql = `{service_name="${plan.serviceName.replace(/["\\]/g, '\\$&')}"} |= "${logBody(tel.id)}"`;
  const startNs = tel.timeNs - 300_000_000_000n;
  const deadline = Date.now() + waitMs;
  const found = await pollUntil(
    deadline,
    async () => {
      const url = `${plan.loki.url}/loki/api/v1/query_range?query=${encodeURIComponent(logql)}&start=${startNs}&end=${BigInt(Date.now() + 60_000) * 1_000_000n}&limit=5&direction=backward`;
      const a = await httpRequest(url, { timeoutMs: flags.timeoutMs });
      const result = a.ok ? jsonBody<{ data?: { result?: unknown } }>(a)?.data?.result : undefined;
      return Array.isArray(result) && result.length > 0;
    },
    { for: 'the probe log record to reach Loki', timeoutMs: waitMs, onWait },
  );
  if (found.found) return r.ok(via, `logs flow: the probe log record reached Loki after ${Math.round(found.afterMs / 100) / 10} s`);
  return r.failed(via, {
    kind: 'logsLost',
    data: { url: via, wait: `${Math.round(waitMs / 1000)} s` },
    hint: "the collector's logs pipeline must end in an otlphttp exporter to http://<loki>:3100/otlp (Loki 3 with structured metadata); the collector log shows send failures",
  });
}

export default probe;
