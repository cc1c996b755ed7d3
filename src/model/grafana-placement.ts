import { posix } from 'node:path';
import type { Node } from 'yaml';
import { nodeAt, type YamlDocument, type YamlPath } from '../load/yaml.js';
import { isGrafanaImage, type ComposeFile, type ComposeService } from './compose.js';
import type { DashboardProvider } from './grafana.js';
import type { Workspace } from './workspace.js';
import { grafanaProvisioningDir, topology } from './topology.js';
import type { TextEdit } from '../types.js';

/**
 * Add `key: value` to the block mapping at `path` right after the line of `afterKey` (e.g. `uid:` after
 * `name:` in a `- name: Prometheus` list item), indented like that key. No edit for flow mappings or when the
 * key's line holds more than the key's own entry.
 */
export function yamlInsertAfterKey(y: YamlDocument, path: YamlPath, afterKey: string, key: string, value: string): TextEdit[] {
  const map = nodeAt(y, path) as (Node & { flow?: boolean; items?: { key: Node | null; value: Node | null }[] }) | undefined;
  if (!map || map.flow || !Array.isArray(map.items)) return [];
  const pair = map.items.find((p) => p.key && 'value' in p.key && String((p.key as { value: unknown }).value) === afterKey);
  if (!pair?.key?.range) return [];
  const text = y.source.text;
  const keyStart = pair.key.range[0];
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const column = keyStart - lineStart;
  const end = pair.value?.range?.[1] ?? pair.key.range[1];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const nl = text.indexOf('\n', end);
  if (nl < 0) return [{ file: y.source.path, offset: text.length, length: 0, text: `${eol}${' '.repeat(column)}${key}: ${value}` }];
  // The value must end on this line (no multi-line value or trailing entries of a flow mapping).
  if (
    text
      .slice(end, nl)
      .replace(/\r$/, '')
      .replace(/\s+#.*$/, '')
      .trim() !== ''
  )
    return [];
  return [{ file: y.source.path, offset: nl + 1, length: 0, text: `${' '.repeat(column)}${key}: ${value}${eol}` }];
}

export interface GrafanaContainer {
  compose: ComposeFile;
  service: ComposeService;
}

/** Grafana services of the workspace's compose files. */
export function grafanaServices(ws: Workspace): GrafanaContainer[] {
  return ws.stack.composes.flatMap((compose) => compose.services.filter((s) => isGrafanaImage(s.repository)).map((service) => ({ compose, service })));
}

/** Where a workspace file is mounted in Grafana containers (container paths). */
export function grafanaPlacements(ws: Workspace, file: string): { container: GrafanaContainer; containerPath: string }[] {
  const grafana = grafanaServices(ws);
  return topology(ws.stack)
    .placementsOf(file)
    .flatMap((p) => {
      const container = grafana.find((g) => g.service === p.service);
      return container ? [{ container, containerPath: p.containerPath }] : [];
    });
}

/**
 * Services other than Grafana that mount a dashboard file (a sidecar that posts dashboards to Grafana's HTTP API,
 * as some stacks run): the doctor cannot see what they do with it, only that something besides Grafana reads it.
 */
export function otherServicesReading(ws: Workspace, file: string): string[] {
  const grafana = grafanaServices(ws);
  return topology(ws.stack)
    .placementsOf(file)
    .filter((p) => !grafana.some((g) => g.service === p.service))
    .map((p) => p.service.name);
}

/**
 * Whether Grafana reads this datasource provisioning file: without a Grafana compose service that cannot be
 * known (assumed yes); with one, the file must be mounted under its provisioning/datasources folder.
 */
export function isDatasourceFileRead(ws: Workspace, file: string): boolean {
  return datasourceReaders(ws, file).length > 0;
}

/**
 * The Grafana services that provision a datasource file (compose file and service name); without a Grafana service in compose,
 * one reader standing for "the Grafana these files are for" (`''`). Two compose projects may each run a Grafana
 * with its own datasources: what one provisions says nothing about the other.
 */
export function datasourceReaders(ws: Workspace, file: string): string[] {
  if (grafanaServices(ws).length === 0) return [''];
  const readers = grafanaPlacements(ws, file)
    .filter((x) => posix.dirname(x.containerPath) === `${grafanaProvisioningDir(x.container.service)}/datasources`)
    .map((x) => `${x.container.compose.file}#${x.container.service.name}`);
  return [...new Set(readers)];
}

/** A YAML string value's quoting kept: replace the whole value with `text`. */
export function yamlReplaceString(y: YamlDocument, path: YamlPath, text: string): TextEdit[] {
  const node = nodeAt(y, path);
  if (!node?.range) return [];
  const raw = y.source.text.slice(node.range[0], node.range[1]);
  const q = raw[0] === '"' || raw[0] === "'" ? raw[0] : '';
  return [{ file: y.source.path, offset: node.range[0], length: node.range[1] - node.range[0], text: `${q}${text}${q}` }];
}

/** A container folder written the one way: `/a/b/` and `/a//b` are `/a/b`. */
export const normalDir = (dir: string) => posix.normalize(dir).replace(/\/+$/, '') || '/';

/** A container path is `dir` or inside it. */
export function underDir(path: string, dir: string): boolean {
  const d = normalDir(dir);
  return path === d || path.startsWith(d === '/' ? '/' : `${d}/`);
}

/**
 * The dashboard providers of the workspace's valid provider files, split by whether Grafana reads their file: with
 * a Grafana compose service, only a file mounted under its provisioning/dashboards folder is read; without one,
 * that cannot be known (assumed read).
 */
export function dashboardProviders(ws: Workspace): { read: DashboardProvider[]; unread: DashboardProvider[] } {
  const providers = ws.stack.grafana.providerFiles.filter((f) => f.yaml.problems.length === 0).flatMap((f) => f.providers);
  const grafana = grafanaServices(ws);
  const read: DashboardProvider[] = [];
  const unread: DashboardProvider[] = [];
  for (const p of providers) {
    if (
      grafana.length === 0 ||
      grafanaPlacements(ws, p.file).some((x) => underDir(x.containerPath, `${grafanaProvisioningDir(x.container.service)}/dashboards`))
    )
      read.push(p);
    else unread.push(p);
  }
  return { read, unread };
}

/**
 * Whether Grafana loads this dashboard through a file provider. `mounted`: Grafana runs in compose, a provider file
 * is mounted where Grafana reads providers and the dashboard under the provider's path. `assumed`: providers exist but
 * no Grafana runs in compose, so where the files land cannot be seen (a rule saying error on this says warning and
 * names the assumption). Undefined: not loaded by a file provider, as far as the workspace shows.
 */
/** The clause a finding adds when `fileProvisioning` is `assumed`. */
export const PROVISIONING_ASSUMED = "(assuming a provider's path holds it: no Grafana service shows where the files land)";

export function fileProvisioning(ws: Workspace, dashboardFile: string): 'mounted' | 'assumed' | undefined {
  const { read, unread } = dashboardProviders(ws);
  if (read.length + unread.length === 0) return undefined;
  if (grafanaServices(ws).length === 0) return 'assumed';
  const placements = grafanaPlacements(ws, dashboardFile);
  return read.some((p) => p.optionsPath && placements.some((x) => underDir(x.containerPath, p.optionsPath!))) ? 'mounted' : undefined;
}
