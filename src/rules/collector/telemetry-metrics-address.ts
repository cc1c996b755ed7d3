import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlDeleteMapEntry, yamlReplaceMapEntry } from '../../model/edits.js';
import { parseHostPort } from '../../model/collector.js';
import { atYaml } from '../../model/yaml-locate.js';
import { atLeast, collectorVersionText } from '../../model/collector-version-text.js';

export const DEPRECATED_FROM = '0.111.0';
export const IGNORED_FROM = '0.123.0';
export const REJECTED_FROM = '0.128.0';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

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
  versions: 'error from v0.128.0 (and when the version is unknown); warning v0.123.0–v0.127.x (silently ignored) and v0.111.0–v0.122.x (deprecated); fine before v0.111.0',
  bad: { file: 'otel-collector-config.yml', text: 'service:\n  telemetry:\n    metrics:\n      address: 0.0.0.0:8888\n' },
  good: {
    file: 'otel-collector-config.yml',
    text: 'service:\n  telemetry:\n    metrics:\n      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 8888\n                without_type_suffix: true\n                without_units: true\n                without_scope_info: true\n',
  },
  references: [
    'collector.md §1 (v0.111.0, v0.123.0, v0.128.0), §2.2',
    'open-telemetry/opentelemetry-collector PRs #11205, #12756, #13152',
    'open-telemetry/opentelemetry-helm-charts #1935, open-telemetry/opentelemetry-lambda #1891',
  ],
  oracle: 'collector',
  stage: 'Collector',
  fatalIn: (version) => atLeast(version, REJECTED_FROM),
  check(ws) {
    const version = ws.stack.collector.version;
    if (!atLeast(version, DEPRECATED_FROM)) return [];
    const findings: RuleFinding[] = [];
    for (const c of ws.stack.collectors) {
      const metrics = isObject(c.telemetry?.metrics) ? c.telemetry.metrics : undefined;
      if (!metrics || !('address' in metrics)) continue;
      const path = ['service', 'telemetry', 'metrics', 'address'];
      const parts = addressParts(metrics.address);
      const hasReaders = 'readers' in metrics;
      const edits = hasReaders ? yamlDeleteMapEntry(c.yaml, path) : parts ? yamlReplaceMapEntry(c.yaml, path, 'readers', readerLines(parts.host, parts.port)) : [];
      const v = collectorVersionText(ws.stack);
      const [severity, message] = atLeast(version, REJECTED_FROM)
        ? ['error' as const, `service.telemetry.metrics.address was deleted in v${REJECTED_FROM}: ${v} refuses to start: "'' has invalid keys: address"`]
        : atLeast(version, IGNORED_FROM)
          ? ['warning' as const, `service.telemetry.metrics.address is silently ignored by ${v} (since v${IGNORED_FROM}): internal metrics are served on localhost:8888 instead, and v${REJECTED_FROM} and later refuse to start`]
          : ['warning' as const, `service.telemetry.metrics.address is deprecated since v${DEPRECATED_FROM}; ${v} still honours it, but v${IGNORED_FROM}–v0.127.x ignore it and v${REJECTED_FROM} and later refuse to start`];
      findings.push({
        ...atYaml(c.yaml, path),
        severity,
        message,
        hint: hasReaders
          ? 'delete address: the readers below already configure the internal metrics endpoint'
          : `use readers: - pull: exporter: prometheus: {host: ${parts?.host ?? '0.0.0.0'}, port: ${parts?.port ?? 8888}} (with without_type_suffix, without_units and without_scope_info true to keep the metric names)`,
        fix: fix('safe', hasReaders ? 'delete service.telemetry.metrics.address' : 'replace service.telemetry.metrics.address with a pull reader', edits),
      });
    }
    return findings;
  },
});
