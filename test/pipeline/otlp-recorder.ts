// A pass-through in front of the collector's OTLP/HTTP receiver that keeps what the collector accepted: Claude Code
// (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) → this → the collector. The truth a counter query is compared with: the sum
// of the delta points per metric and session. An export the collector refused (down for a restart) is not counted:
// Claude Code drops it, and nothing downstream can know it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface JsonPoint {
  attributes?: { key: string; value: { stringValue?: string } }[];
  asDouble?: number;
  asInt?: string | number;
  startTimeUnixNano?: string;
  timeUnixNano?: string;
}
interface JsonExport {
  resourceMetrics?: { scopeMetrics?: { metrics?: { name: string; sum?: { aggregationTemporality?: number; dataPoints?: JsonPoint[] } }[] }[] }[];
}

export interface OtlpRecorder {
  url: string;
  /** Sum of the accepted delta points of an OTel metric, per value of attribute `key` (those accepted from `since`, ms; only those sent to `target`, when given). */
  sent(metric: string, since?: number, key?: string, target?: string): Map<string, number>;
  /** For cumulative points: each series' (attribute set's) last accepted value, added up per value of attribute `key` (only those sent to `target`, when given). */
  latest(metric: string, key?: string, target?: string): Map<string, number>;
  /** Every accepted point of a metric, in the order accepted: the replica it was sent to, its series (attributes) and times. */
  points(metric: string): { target: string; series: string; start: string; time: string; value: number }[];
  /** Temporalities seen (1 delta, 2 cumulative). */
  temporalities(): Set<number>;
  close(): Promise<void>;
}

export async function startOtlpRecorder(target: () => string): Promise<OtlpRecorder> {
  const accepted: { at: number; target: string; body: JsonExport }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect'].includes(k)) headers[k] = v;
      const to = target();
      fetch(`${to}${req.url ?? '/'}`, { method: req.method, headers, body })
        .then(async (r) => {
          if (r.ok && (req.url ?? '').includes('/v1/metrics'))
            accepted.push({ at: Date.now(), target: to, body: JSON.parse(body.toString('utf8') || '{}') as JsonExport });
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((err: unknown) => {
          if (process.env.COD_DEBUG) console.error('recorder', err);
          res.writeHead(503);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const points = function* (metric: string, since = 0, target?: string) {
    for (const { at, target: to, body: e } of accepted)
      if (at >= since && (target === undefined || to === target))
        for (const rm of e.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) if (m.name === metric) yield* m.sum?.dataPoints ?? [];
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent(metric, since, key = 'session.id', target) {
      const out = new Map<string, number>();
      for (const p of points(metric, since, target)) {
        const value = p.attributes?.find((a) => a.key === key)?.value.stringValue ?? '';
        out.set(value, (out.get(value) ?? 0) + Number(p.asDouble ?? p.asInt ?? 0));
      }
      return out;
    },
    latest(metric, key = 'session.id', target) {
      const last = new Map<string, { value: string; n: number }>();
      for (const p of points(metric, 0, target))
        last.set(JSON.stringify(p.attributes ?? []), {
          value: p.attributes?.find((a) => a.key === key)?.value.stringValue ?? '',
          n: Number(p.asDouble ?? p.asInt ?? 0),
        });
      const out = new Map<string, number>();
      for (const { value, n } of last.values()) out.set(value, (out.get(value) ?? 0) + n);
      return out;
    },
    points(metric) {
      return accepted.flatMap(({ target: to, body: e }) =>
        (e.resourceMetrics ?? []).flatMap((rm) =>
          (rm.scopeMetrics ?? []).flatMap((sm) =>
            (sm.metrics ?? [])
              .filter((m) => m.name === metric)
              .flatMap((m) =>
                (m.sum?.dataPoints ?? []).map((p) => ({
                  target: to,
                  series: JSON.stringify(p.attributes ?? []),
                  start: p.startTimeUnixNano ?? '',
                  time: p.timeUnixNano ?? '',
                  value: Number(p.asDouble ?? p.asInt ?? 0),
                })),
              ),
          ),
        ),
      );
    },
    temporalities() {
      const out = new Set<number>();
      for (const { body: e } of accepted)
        for (const rm of e.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) if (m.sum?.aggregationTemporality) out.add(m.sum.aggregationTemporality);
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
