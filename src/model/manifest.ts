import { parseYaml } from '../load/yaml.js';
import { readTextFile } from '../load/read.js';
import { UsageError } from '../util/errors.js';

/**
 * Component types of a custom collector built with the OpenTelemetry Collector Builder, from its
 * manifest (`receivers: - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver v0.110.0`).
 * The type is read from the module path's last element without its kind suffix (`otlpreceiver` → otlp),
 * the builder's own convention; `import:`/`name:` overrides are not types and are ignored.
 */
export function readManifest(path: string): Set<string> {
  const r = readTextFile(path, 'yaml');
  if (!r.ok) throw new UsageError(`--collector-manifest ${r.problem.path}: ${r.problem.reason}`);
  const y = parseYaml(r.source);
  if (y.problems.length) {
    const pos = r.source.position(y.problems[0].offset);
    throw new UsageError(`${path}:${pos.line}:${pos.column}: invalid builder manifest: ${y.problems[0].message}`);
  }
  const root = (y.value ?? {}) as Record<string, unknown>;
  const types = new Set<string>();
  for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions']) {
    const list = Array.isArray(root[kind]) ? (root[kind] as Record<string, unknown>[]) : [];
    const suffix = kind.replace(/s$/, '');
    for (const entry of list) {
      const gomod = typeof entry?.gomod === 'string' ? entry.gomod.split(/\s+/)[0] : '';
      const last = gomod.split('/').pop() ?? '';
      if (last) types.add(`${kind}:${last.replace(new RegExp(`${suffix}$`), '')}`);
    }
  }
  if (types.size === 0) throw new UsageError(`${path}: no components found in builder manifest`);
  return types;
}
