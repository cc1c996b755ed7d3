import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlInsertMapEntry, yamlReplaceScalar } from '../../model/edits.js';
import { canonicalId, parseHostPort, type Component } from '../../model/collector.js';
import type { Workspace } from '../../model/workspace.js';
import { isLoopback } from '../../util/hosts.js';

/** The gRPC OTLP exporter's type names (`otlp_grpc` from v0.144.0, `otlp` before and as an alias). */
const GRPC_TYPES = ['otlp', 'otlp_grpc'];
/** tls keys that show TLS is wanted on purpose. */
const TLS_INTENT = ['ca_file', 'ca_pem', 'cert_file', 'cert_pem', 'key_file', 'key_pem', 'insecure', 'server_name_override'];

const messages = {
  topLevelInsecure: {
    message: 'exporter "{{exporter}}" has a top-level "insecure" key: the collector refuses this config and does not start',
    detail: 'the collector no longer reads it there: "has invalid keys: insecure"',
  },
  plaintext: {
    message: (d: { exporter: string; endpoint: string }) =>
      `exporter "${d.exporter}" speaks TLS to ${d.endpoint}: a plaintext receiver there drops every export`,
    detail: (d: { evidence: string; skipVerify: boolean }) =>
      `it speaks gRPC with TLS (${d.evidence})${d.skipVerify ? '; insecure_skip_verify still uses TLS' : ''}; against a plaintext receiver every export fails ("authentication handshake failed: tls: first record does not look like a TLS handshake") and the data is dropped`,
  },
} as const;
type ExporterTlsFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/exporter-tls',
  severity: 'warning',
  title: 'OTLP gRPC exporter speaks TLS to a plaintext endpoint',
  checks:
    'An `otlp` (gRPC) exporter in a pipeline whose endpoint looks plaintext (an `http://` prefix, localhost, a compose service, or a single-label container name) without `tls: insecure: true`; and the old top-level `insecure` key.',
  why: 'The gRPC exporter uses TLS unless `tls.insecure` is true; an `http://` prefix does not switch it off. Against a plaintext receiver (Tempo, Jaeger, another collector on :4317) every export fails with "transport: authentication handshake failed: tls: first record does not look like a TLS handshake" and the data is dropped, while the collector itself runs. The old top-level `insecure: true` is not read any more: the collector refuses the config ("has invalid keys: insecure").',
  fix: 'unsafe',
  fixDescription:
    'Adds `tls: insecure: true` to the exporter (or `insecure: true` to its `tls` block): safe when the endpoint says `http://`, unsafe otherwise (it turns encryption off). A top-level `insecure` key is moved under `tls` (safe).',
  versions: 'all collector versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlp/tempo:\n    endpoint: http://tempo:4317\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlp/tempo]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  otlp/tempo:\n    endpoint: tempo:4317\n    tls:\n      insecure: true\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlp/tempo]\n',
  },
  messages,
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/config/configgrpc/configgrpc.go (an http:// prefix is stripped for validation only)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/config/configtls/configtls.go (LoadTLSConfig: TLS unless insecure: true and no CA)',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/exporter/otlpexporter/config.go',
  ],
  oracle: 'collector',
  stage: 'Collector',
  // Only the removed top-level key stops the collector; a TLS mismatch fails each export at run time.
  fatalIn: (_version, finding) => finding.kind === 'topLevelInsecure',
  check(ws) {
    const findings: ExporterTlsFinding[] = [];
    for (const c of ws.stack.collectors.filter((x) => x.yaml.problems.length === 0)) {
      const used = new Set(c.pipelines.flatMap((p) => p.exporters.map((r) => canonicalId(r.id))));
      for (const e of c.components.filter((x) => x.kind === 'exporters' && GRPC_TYPES.includes(x.type))) {
        if (e.value.has('insecure')) {
          findings.push(topLevelInsecure(e));
          continue;
        }
        if (!used.has(canonicalId(e.id))) continue;
        const finding = plaintext(ws, e);
        if (finding) findings.push(finding);
      }
    }
    return findings;
  },
});

function topLevelInsecure(e: Component): ExporterTlsFinding {
  const insecure = e.value.get('insecure')!;
  const source = insecure.doc.source;
  const key = insecure.keyRange.start;
  const indent = source.lineText(key.line).slice(0, key.column - 1);
  const eol = source.text.includes('\r\n') ? '\r\n' : '\n';
  const edits = !e.value.has('tls') && /^ *$/.test(indent) ? yamlReplaceScalar(insecure.doc, insecure.path, 'key', `tls:${eol}${indent}  insecure`) : [];
  return {
    ...insecure.location(),
    severity: 'error',
    kind: 'topLevelInsecure',
    data: { exporter: e.id },
    hint: 'move it under tls: (tls: {insecure: true})',
    fix: fix('safe', `move insecure under tls in ${e.id}`, edits),
  };
}

function plaintext(ws: Workspace, e: Component): ExporterTlsFinding | undefined {
  const written = e.value.get('endpoint');
  const endpoint = written?.string();
  if (!written || endpoint === undefined || endpoint.includes('${')) return undefined;
  const tls = e.value.get('tls');
  if (tls !== undefined && !tls.isMap()) return undefined; // `tls:` left empty: not judged
  if (tls && TLS_INTENT.some((k) => tls.has(k))) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint.trim())?.[1]?.toLowerCase();
  if (scheme === 'https') return undefined;
  const hp = parseHostPort(endpoint);
  const host =
    hp?.host ??
    endpoint
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .split(/[:/]/)[0];
  if (hp?.port === 443 || !host) return undefined;
  const service = ws.stack.composes.flatMap((f) => f.services).find((s) => s.name === host);
  const evidence =
    scheme === 'http'
      ? 'the http:// prefix does not switch TLS off'
      : isLoopback(host)
        ? 'a local endpoint'
        : service
          ? `"${host}" is a compose service (plaintext on the compose network unless it is set up for TLS)`
          : /^[a-z0-9-_]+$/i.test(host) && !/^\d+$/.test(host)
            ? `"${host}" is a container or cluster-internal name`
            : undefined;
  if (!evidence) return undefined;
  const edits = tls ? yamlInsertMapEntry(tls.doc, tls.path, 'insecure', 'true') : yamlInsertMapEntry(e.value.doc, e.path, 'tls', ['insecure: true']);
  const skipVerify = !!tls?.has('insecure_skip_verify');
  return {
    ...written.location('value'),
    kind: 'plaintext',
    data: { exporter: e.id, endpoint, evidence, skipVerify },
    hint: 'add tls: {insecure: true} if the receiver is plaintext; otherwise use an https:// endpoint or set up tls (ca_file) to make the intent explicit',
    fix: fix(scheme === 'http' ? 'safe' : 'unsafe', `add tls: insecure: true to ${e.id}`, edits),
  };
}
