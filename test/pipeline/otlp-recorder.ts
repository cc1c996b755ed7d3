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
}
interface JsonExport {
  resourceMetrics?: { scopeMetrics?: { metrics?: { name: string; sum?: { aggregationTemporality?: number; dataPoints?: JsonPoint[] } }[] }[] }[];
}

export interface OtlpRecorder {
  url: string;
  /** Sum of the accepted delta points of an OTel metric, per value of attribute `key` (those accepted from `since`, ms). */
  sent(metric: string, since?: number, key?: string): Map<string, number>;
  /** Temporalities seen (1 delta, 2 cumulative). */
  temporalities(): Set<number>;
  close(): Promise<void>;
}

export async function startOtlpRecorder(target: () => string): Promise<OtlpRecorder> {
  const accepted: { at: number; body: JsonExport }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect'].includes(k)) headers[k] = v;
      fetch(`${target()}${req.url ?? '/'}`, { method: req.method, headers, body })
        .then(async (r) => {
          if (r.ok && (req.url ?? '').includes('/v1/metrics')) accepted.push({ at: Date.now(), body: JSON.parse(body.toString('utf8') || '{}') as JsonExport });
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
  const points = function* (metric: string, since = 0) {
    for (const { at, body: e } of accepted)
      if (at >= since)
        for (const rm of e.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) if (m.name === metric) yield* m.sum?.dataPoints ?? [];
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent(metric, since, key = 'session.id') {
      const out = new Map<string, number>();
      for (const p of points(metric, since)) {
        const value = p.attributes?.find((a) => a.key === key)?.value.stringValue ?? '';
        out.set(value, (out.get(value) ?? 0) + Number(p.asDouble ?? p.asInt ?? 0));
      }
      return out;
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
