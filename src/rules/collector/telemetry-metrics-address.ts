import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlDeleteMapEntry, yamlReplaceMapEntry } from '../../model/edits.js';
import { parseHostPort } from '../../model/collector.js';
import { atLeast, collectorVersionKnown, collectorVersionText, PIN_COLLECTOR, unknownCollectorText } from '../../model/collector-version-text.js';

export const DEPRECATED_FROM = '0.111.0';
export const IGNORED_FROM = '0.123.0';
export const REJECTED_FROM = '0.128.0';

const messages = {
  rejected: {
    message: `service.telemetry.metrics.address was deleted in v${REJECTED_FROM}: the collector refuses to start`,
    detail: `{{version}} says "'' has invalid keys: address"`,
  },
  rejectedFromUnknown: {
    message: `service.telemetry.metrics.address was deleted in v${REJECTED_FROM}: collectors from v${REJECTED_FROM} on refuse to start`,
    detail: `they say "'' has invalid keys: address"; v${IGNORED_FROM}–v0.127.x ignore it; {{unknown}}`,
  },
  ignored: {
    message: 'service.telemetry.metrics.address is silently ignored: internal metrics are served on localhost:8888 instead',
    detail: `ignored by {{version}} (since v${IGNORED_FROM}); v${REJECTED_FROM} and later refuse to start`,
  },
  deprecated: {
    message: `service.telemetry.metrics.address is deprecated: v${IGNORED_FROM}–v0.127.x ignore it, v${REJECTED_FROM} and later refuse to start`,
    detail: `deprecated since v${DEPRECATED_FROM}; {{version}} still honours it`,
  },
} as const;

/** The `readers` form of an address: a pull reader with a Prometheus exporter, names kept as before v0.119.0. */
export function readerLines(host: string, port: number): string[] {
  return [
    '- pull:',
    '    exporter:',
    '      prometheus:',
    `        host: ${host}`,
    `        port: ${port}`,
    '        without_type_suffix: true',
    '        without_units: true',
    '        without_scope_info: true',
  ];
}

/** `:8888` and `0.0.0.0:8888` → 0.0.0.0; env references and other shapes give no fix. */
export function addressParts(address: unknown): { host: string; port: number } | undefined {
  if (typeof address !== 'string' || address.includes('$')) return undefined;
  const parsed = parseHostPort(address);
  if (!parsed || !Number.isInteger(parsed.port) || parsed.port <= 0 || parsed.port > 65535) return undefined;
  const host = parsed.host === '' ? '0.0.0.0' : parsed.host;
  return /^[A-Za-z0-9.:-]+$/.test(host) ? { host: host.includes(':') ? `"${host}"` : host, port: parsed.port } : undefined;
}

export default defineRule({
  id: 'collector/telemetry-metrics-address',
  severity: 'error',
  title: '`service.telemetry.metrics.address` (replaced by `readers`)',
  checks: 'The collector config sets `service.telemetry.metrics.address`, deprecated in v0.111.0, ignored from v0.123.0 and deleted in v0.128.0.',
  why: "From v0.128.0 the collector refuses to start: \"error decoding 'service.telemetry.metrics': decoding failed due to the following error(s): '' has invalid keys: address\". On v0.123.0–v0.127.x the key is silently ignored and the internal metrics move to localhost:8888, where Prometheus in another container cannot scrape them.",
  fix: 'safe',
  fixDescription:
    'Replaces `address: <host>:<port>` with `readers: - pull: exporter: prometheus: {host, port}` (`:8888` becomes host 0.0.0.0), with `without_type_suffix`, `without_units` and `without_scope_info` true so the internal metric names stay as they were; when `readers` is already there, only deletes `address`.',
  versions:
    'error from v0.128.0; warning when the version is unknown (it names the assumption), v0.123.0–v0.127.x (silently ignored) and v0.111.0–v0.122.x (deprecated); fine before v0.111.0',
  bad: { file: 'otel-collector-config.yml', text: 'service:\n  telemetry:\n    metrics:\n      address: 0.0.0.0:8888\n' },
  good: {
    file: 'otel-collector-config.yml',
    text: 'service:\n  telemetry:\n    metrics:\n      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 8888\n                without_type_suffix: true\n                without_units: true\n                without_scope_info: true\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/pull/11205 (deprecated, v0.111.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/12756 (ignored, v0.123.0)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/13152 (removed, v0.128.0)',
    'https://github.com/open-telemetry/opentelemetry-helm-charts/issues/1935',
    'https://github.com/open-telemetry/opentelemetry-lambda/issues/1891 ("has invalid keys: address")',
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/service/telemetry/otelconftelemetry/config.go (readers)',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: (version, finding) => finding.kind === 'rejected' && atLeast(version, REJECTED_FROM),
  check(ws) {
    const version = ws.stack.collector.version;
    if (!atLeast(version, DEPRECATED_FROM)) return [];
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of ws.stack.collectors) {
      const metrics = c.root.at('service', 'telemetry', 'metrics');
      const address = metrics?.get('address');
      if (!metrics || !address) continue;
      const parts = addressParts(address.string());
      const hasReaders = metrics.has('readers');
      const edits = hasReaders
        ? yamlDeleteMapEntry(address.doc, address.path)
        : parts
          ? yamlReplaceMapEntry(address.doc, address.path, 'readers', readerLines(parts.host, parts.port))
          : [];
      const kind = atLeast(version, REJECTED_FROM) ? 'rejected' : atLeast(version, IGNORED_FROM) ? 'ignored' : 'deprecated';
      const known = collectorVersionKnown(ws.stack);
      const hint = hasReaders
        ? 'delete address: the readers below already configure the internal metrics endpoint'
        : `use readers: - pull: exporter: prometheus: {host: ${parts?.host ?? '0.0.0.0'}, port: ${parts?.port ?? 8888}} (with without_type_suffix, without_units and without_scope_info true to keep the metric names)`;
      findings.push({
        ...address.location(),
        ...(known
          ? { severity: kind === 'rejected' ? ('error' as const) : ('warning' as const), kind, data: { version: collectorVersionText(ws.stack) } }
          : { severity: 'warning' as const, kind: 'rejectedFromUnknown' as const, data: { unknown: unknownCollectorText(ws.stack) } }),
        hint: known ? hint : `${hint}; ${PIN_COLLECTOR}`,
        fix: fix('safe', hasReaders ? 'delete service.telemetry.metrics.address' : 'replace service.telemetry.metrics.address with a pull reader', edits),
      });
    }
    return findings;
  },
});
