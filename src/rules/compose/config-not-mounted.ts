import { basename, dirname, posix, relative } from 'node:path';
import { displayPath } from '../../util/display.js';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendToList, yamlReplaceInScalar } from '../../model/edits.js';
import type { FileKind } from '../../discover/classify.js';
import type { Mount } from '../../model/compose.js';
import {
  grafanaProvisioningDir,
  hostSource,
  PROMETHEUS_IMAGE_CONFIG,
  PROMETHEUS_WORKDIR,
  topology,
  type ConfigRead,
  type ContainerService,
  type Placement,
  type Topology,
} from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';
import { isScalar, isSeq, nodeAt } from '../../load/yaml.js';
import type { TextEdit } from '../../types.js';
import { atYaml } from '../../model/yaml-locate.js';

/** Move a mount to another target inside the container, in its short (`a:b[:ro]`) or long (`target: b`) form. */
function retarget(ref: ContainerService | Placement, mount: Mount, to: string): TextEdit[] {
  const y = ref.compose.yaml;
  if (isScalar(nodeAt(y, mount.path))) return yamlReplaceInScalar(y, mount.path, `:${mount.target}`, `:${to}`);
  return yamlReplaceInScalar(y, [...mount.path, 'target'], mount.target, to);
}

/** Append a flag to a service's `command` list, quoted like its first item; no edit for a string command. */
function appendFlag(ref: ContainerService, flag: string): TextEdit[] {
  const y = ref.compose.yaml;
  const path = [...ref.service.path, 'command'];
  const list = nodeAt(y, path);
  if (!isSeq(list)) return [];
  const first = list.items[0] as { range?: [number, number, number] } | undefined;
  const ch = first?.range ? y.source.text[first.range[0]] : '"';
  const q = ch === "'" || ch === '"' ? ch : /[\s:#{}[\],&*!|>'"%@`]/.test(flag) ? '"' : '';
  return yamlAppendToList(y, path, `${q}${flag}${q}`);
}

function svc(ref: ContainerService): string {
  return `service "${ref.service.name}" in ${basename(ref.compose.file)}`;
}

/** Relative to the workspace when inside it; else ~/… or absolute (a stack in ~/.claude/telemetry, checked from a project). */
const rel = (ws: Workspace, file: string) => (file === ws.root ? basename(file) : displayPath(file, ws.root));

/** Workspace files of a kind placed into this service, anywhere. */
function placed(t: Topology, ref: ContainerService, files: string[]): Placement[] {
  return files.flatMap((f) => t.placementsOf(f).filter((p) => p.service === ref.service));
}

export default defineRule({
  id: 'compose/config-not-mounted',
  severity: 'error',
  title: 'The config a container reads is not the mounted file',
  checks:
    'For the collector, Prometheus and Grafana services of a compose file: the path each program reads its config from (the collector\'s `--config`, else the image\'s /etc/otelcol-contrib/config.yaml or /etc/otelcol/config.yaml; Prometheus\' `--config.file`, else /etc/prometheus/prometheus.yml, or prometheus.yml in /prometheus when `command` drops the flag; Grafana\'s provisioning folders) against the files mounted into the container. Flags a config file of the workspace mounted somewhere the program does not read, a read path nothing provides, and a collector command without any `--config`.',
  why:
    'A config mounted at the wrong path is never read. The collector then runs its bundled default (OTLP in, `debug` out: "collector is up but nothing reaches Prometheus"), or stops with "unable to read the file …: no such file or directory", or, when `command` has no `--config`, with "at least one config flag must be provided". Prometheus runs the image\'s own prometheus.yml (it scrapes only itself) or exits with "Error loading config (--config.file=…)". Grafana never provisions a datasources file outside provisioning/datasources/.',
  fix: 'safe',
  fixDescription: 'When exactly one config file of the workspace is mounted into the service at another path, moves that mount\'s target to the path the program reads (the `--config` and the rest of the service stay as they are).',
  versions: 'all versions (collector image layout from the official Dockerfiles; Prometheus image CMD and working directory /prometheus)',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n',
  },
  references: ['collector.md §7 (config path, bundled default config)', 'prometheus.md §6 (forgetting --config.file)', 'grafana-loki.md §5, §8 (provisioning paths)'],
  oracle: 'fixtures',
  stage: 'Collector',
  check(ws) {
    const t = topology(ws.stack);
    return [...collectorFindings(ws, t), ...prometheusFindings(ws, t), ...grafanaFindings(ws, t)];
  },
});

function collectorFindings(ws: Workspace, t: Topology): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const files = ws.stack.collectors.map((c) => c.file);
  const unrun = ws.stack.collectors.filter((c) => !t.runnerOf(c));
  for (const cs of t.collectors) {
    if (!cs.reads || cs.runs.length > 0) continue;
    const y = cs.compose.yaml;
    const elsewhere = placed(t, cs, files);
    if (cs.reads.length === 0) {
      const target = elsewhere[0]?.containerPath;
      findings.push({
        ...atYaml(y, [...cs.service.path, nodeAt(y, [...cs.service.path, 'command']) ? 'command' : 'entrypoint']),
        message: `${svc(cs)} replaces the image's command but passes no --config: the collector stops with "at least one config flag must be provided"`,
        hint: target ? `add "--config=${target}" to command` : 'add --config=<path of the mounted config> to command',
        fix: elsewhere.length === 1 ? fix('safe', `add --config=${target} to the command of ${cs.service.name}`, appendFlag(cs, `--config=${target}`)) : undefined,
      });
      continue;
    }
    for (const read of cs.reads.filter((r) => r.file)) {
      const f = collectorRead(ws, cs, read, elsewhere, unrun.map((c) => c.file));
      if (f) findings.push(f);
    }
  }
  return findings;
}

function collectorRead(ws: Workspace, cs: ContainerService, read: ConfigRead, elsewhere: Placement[], unrun: string[]): RuleFinding | undefined {
  const y = cs.compose.yaml;
  const reads = read.origin === 'flag' ? `reads ${read.path} (--config)` : `reads ${read.path} (the image's default: the service sets no command)`;
  const one = elsewhere.length === 1 ? elsewhere[0] : undefined;
  const move = one ? fix('safe', `mount ${basename(one.mount.source)} at ${read.path}`, retarget(cs, one.mount, read.path)) : undefined;
  const mountedText = elsewhere.length ? `, but ${elsewhere.map((p) => `${rel(ws, p.file)} is mounted at ${p.containerPath}`).join(' and ')}` : '';
  if (!read.mount) {
    if (read.origin === 'image-default') {
      if (elsewhere.length === 0 && unrun.length === 0) return undefined;
      return {
        ...atYaml(y, elsewhere.length ? elsewhere[0].mount.path : cs.service.path),
        message: `${svc(cs)} ${reads}${mountedText || `, and nothing mounts ${unrun.map((f) => rel(ws, f)).join(' or ')} there`}: the collector runs the image's bundled default config (OTLP in, debug out), so nothing reaches Prometheus or Loki`,
        hint: one ? `mount it at ${read.path}, or add "--config=${one.containerPath}" to command` : `mount your collector config at ${read.path}`,
        fix: move,
      };
    }
    if (elsewhere.length === 0 && unrun.length === 0) return undefined;
    return {
      ...atYaml(y, read.argPath ?? cs.service.path, 'value'),
      message: `${svc(cs)} ${reads}, which nothing mounts${mountedText}: the collector stops with "unable to read the file file:${read.path}: open ${read.path}: no such file or directory"`,
      hint: one ? `mount it at ${read.path}, or pass --config=${one.containerPath}` : `mount your collector config at ${read.path}`,
      fix: move,
    };
  }
  // Something is mounted there. A host file in this folder that is none of its collector configs, while one of
  // them runs nowhere: most likely a misspelt source; Docker then creates an empty directory in its place.
  const src = hostSource(cs.compose, read.mount);
  if (!src.path || read.hostPath !== src.path || unrun.length !== 1) return undefined;
  if (!src.path.startsWith(ws.root) || ws.stack.files.some((f) => f.source.path === src.path)) return undefined;
  const wanted = unrun[0];
  const newSource = `./${relative(dirname(cs.compose.file), wanted).split('\\').join('/')}`;
  return {
    ...atYaml(y, read.mount.path, 'value'),
    message: `${svc(cs)} ${reads} from ${read.mount.source}, which is not the collector config of this folder (${rel(ws, wanted)} is mounted nowhere): for a missing source Docker creates an empty directory, and the collector stops with "unable to read the file file:${read.path}: read ${read.path}: is a directory"`,
    hint: `mount ${newSource} instead`,
    fix: fix('unsafe', `mount ${newSource} at ${read.path}`, yamlReplaceInScalar(y, isScalar(nodeAt(y, read.mount.path)) ? read.mount.path : [...read.mount.path, 'source'], read.mount.source, newSource)),
  };
}

function prometheusFindings(ws: Workspace, t: Topology): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const files = ws.stack.prometheus.map((p) => p.file);
  const unrun = ws.stack.prometheus.filter((p) => !t.prometheus.some((s) => s.reads?.some((r) => r.hostPath === p.file)));
  for (const ps of t.prometheus) {
    const read = ps.reads?.[0];
    if (!read) continue;
    if (files.some((f) => f === read.hostPath)) continue;
    // A data volume at /prometheus does not hold a prometheus.yml.
    const provided = read.mount && !(read.mount.type === 'volume' && read.mount.target.replace(/\/+$/, '') !== read.path);
    if (provided) continue;
    const elsewhere = placed(t, ps, files);
    if (elsewhere.length === 0 && unrun.length === 0) continue;
    const y = ps.compose.yaml;
    const one = elsewhere.length === 1 ? elsewhere[0] : undefined;
    const mountedText = elsewhere.length ? `, but ${elsewhere.map((p) => `${rel(ws, p.file)} is mounted at ${p.containerPath}`).join(' and ')}` : `, and nothing mounts ${unrun.map((p) => rel(ws, p.file)).join(' or ')} there`;
    const why =
      read.origin === 'image-default'
        ? `reads ${read.path} (the image's default)`
        : read.origin === 'working-dir-default'
          ? `has a command without --config.file, so Prometheus reads prometheus.yml in its working directory ${PROMETHEUS_WORKDIR}`
          : `reads ${read.path} (--config.file)`;
    const flag = read.origin === 'working-dir-default' ? 'prometheus.yml' : read.path;
    const consequence =
      read.path === PROMETHEUS_IMAGE_CONFIG
        ? "Prometheus runs the image's own prometheus.yml, which scrapes only Prometheus itself: the collector is never scraped"
        : `Prometheus exits at start ("Error loading config (--config.file=${flag})": "open ${flag}: no such file or directory")`;
    findings.push({
      ...atYaml(y, read.argPath ?? (elsewhere[0]?.mount.path ?? ps.service.path), read.argPath ? 'value' : 'key'),
      message: `service "${ps.service.name}" in ${basename(ps.compose.file)} ${why}${mountedText}: ${consequence}`,
      hint: one
        ? read.origin === 'working-dir-default'
          ? `add --config.file=${one.containerPath} to command`
          : `mount it at ${read.path}`
        : `mount your prometheus.yml at ${read.path}`,
      fix: !one
        ? undefined
        : read.origin === 'working-dir-default' && isSeq(nodeAt(y, [...ps.service.path, 'command']))
          ? fix('safe', `add --config.file=${one.containerPath} to the command of ${ps.service.name}`, appendFlag(ps, `--config.file=${one.containerPath}`))
          : fix('safe', `mount ${basename(one.mount.source)} at ${read.path}`, retarget(ps, one.mount, read.path)),
    });
  }
  return findings;
}

const GRAFANA_DIRS: Partial<Record<FileKind, { dir: string; what: string }>> = {
  'grafana-datasources': { dir: 'datasources', what: 'datasources' },
  'grafana-dashboards': { dir: 'dashboards', what: 'dashboard providers' },
};

function grafanaFindings(ws: Workspace, t: Topology): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const gs of t.grafana) {
    const prov = grafanaProvisioningDir(gs.service);
    for (const f of ws.stack.files) {
      const kind = GRAFANA_DIRS[f.kind];
      if (!kind) continue;
      const dir = `${prov}/${kind.dir}`;
      const places = t.placementsOf(f.source.path).filter((p) => p.service === gs.service);
      const read = places.filter((p) => posix.dirname(p.containerPath) === dir && /\.ya?ml$/i.test(p.containerPath));
      if (read.length > 0) continue;
      const y = gs.compose.yaml;
      const name = rel(ws, f.source.path);
      if (places.length === 0) {
        findings.push({
          ...atYaml(y, gs.service.path),
          message: `${svc(gs)} does not mount ${name}: Grafana never provisions these ${kind.what} (it reads ${dir}/*.yaml)`,
          hint: `mount it: - ./${relative(dirname(gs.compose.file), f.source.path).split('\\').join('/')}:${dir}/${basename(f.source.path).replace(/\.(yml|yaml)$/i, '')}.yaml`,
        });
        continue;
      }
      const p = places[0];
      const to = `${dir}/${posix.basename(p.containerPath).replace(/(\.ya?ml)?$/i, (m) => m || '.yaml')}`;
      findings.push({
        ...atYaml(y, p.mount.path, 'value'),
        message: `${svc(gs)} mounts ${name} at ${p.containerPath}, but Grafana reads ${kind.what} from ${dir}/*.yaml: it is never provisioned`,
        hint: `mount it at ${to}`,
        fix: p.mount.target.replace(/\/+$/, '') === p.containerPath ? fix('safe', `mount ${name} at ${to}`, retarget(gs, p.mount, to)) : undefined,
      });
    }
  }
  return findings;
}
