import { basename, dirname, posix, relative } from 'node:path';
import { displayPath } from '../../util/display.js';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendToList, yamlReplaceInScalar } from '../../model/edits.js';
import type { FileKind } from '../../discover/classify.js';
import { composeValueAt, type Mount } from '../../model/compose.js';
import { describeAssumed } from '../../model/compose-interpolation.js';
import {
  grafanaProvisioningDir,
  hostSource,
  PROMETHEUS_IMAGE_CONFIG,
  PROMETHEUS_WORKDIR,
  topology,
  type ConfigOrigin,
  type ConfigRead,
  type ContainerService,
  type Placement,
  type Topology,
} from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';
import type { TextEdit } from '../../types.js';

/** Move a mount to another target inside the container, in its short (`a:b[:ro]`) or long (`target: b`) form. */
function retarget(mount: Mount, to: string): TextEdit[] {
  const { doc, path } = mount.value;
  if (mount.value.text() !== undefined) return yamlReplaceInScalar(doc, path, `:${mount.target}`, `:${to}`);
  return yamlReplaceInScalar(doc, [...path, 'target'], mount.target, to);
}

/** Append a flag to a service's `command` list, quoted like its first item; no edit for a string command. */
function appendFlag(ref: ContainerService, flag: string): TextEdit[] {
  const command = ref.service.fields.get('command');
  if (!command?.isList()) return [];
  const ch = command.items()[0]?.sourceText()?.[0] ?? '"';
  const q = ch === "'" || ch === '"' ? ch : /[\s:#{}[\],&*!|>'"%@`]/.test(flag) ? '"' : '';
  return yamlAppendToList(command.doc, command.path, `${q}${flag}${q}`);
}

interface Svc {
  service: string;
  /** The compose file's name. */
  compose: string;
  /** The service's `profiles:`, when it has any: compose starts it only when one is active. */
  profiles?: string[];
  /** What the paths compared here took from a variable the shell may set (describeAssumed's words), when any. */
  assumed?: string[];
}
/** The assumption a finding rests on, at the end of its detail. */
const assuming = (d: Svc) => (d.assumed?.length ? `; this assumes ${d.assumed.join('; ')}` : '');
const svc = (d: Svc) => `service "${d.service}" in ${d.compose}${d.profiles ? ` (runs only with profile ${d.profiles.join(' or ')})` : ''}`;
const svcOf = (ref: ContainerService): Svc => ({
  service: ref.service.name,
  compose: basename(ref.compose.file),
  ...(ref.service.profiles.length ? { profiles: ref.service.profiles } : {}),
});

/** The path a program reads, and why it reads that one. */
interface Read {
  readPath: string;
  origin: ConfigOrigin;
}
/** Workspace config files mounted elsewhere in the container (`file` as shown), and the configs no service runs. */
interface Mounted {
  mounted: { file: string; at: string }[];
  unrun: string[];
}
const butMounted = (d: Mounted) => (d.mounted.length ? `, but ${d.mounted.map((m) => `${m.file} is mounted at ${m.at}`).join(' and ')}` : '');
const nothingMounts = (d: Mounted) => `, and nothing mounts ${d.unrun.join(' or ')} there`;
const collectorReads = (d: Read) =>
  d.origin === 'flag' ? `reads ${d.readPath} (--config)` : `reads ${d.readPath} (the image's default: the service sets no command)`;
const prometheusReads = (d: Read) =>
  d.origin === 'image-default'
    ? `reads ${d.readPath} (the image's default)`
    : d.origin === 'working-dir-default'
      ? `has a command without --config.file, so Prometheus reads prometheus.yml in its working directory ${PROMETHEUS_WORKDIR}`
      : `reads ${d.readPath} (--config.file)`;
/** What Grafana would provision: `provisioned` is the file as shown, `what` its kind ("datasources"), `dir` where Grafana reads it. */
interface Provisioning {
  provisioned: string;
  what: string;
  dir: string;
}

const messages = {
  noConfigFlag: {
    message: (d: Svc) => `service "${d.service}" passes no --config: the collector stops at start`,
    detail: (d: Svc) => `${svc(d)} replaces the image's command but passes no --config ("at least one config flag must be provided")${assuming(d)}`,
  },
  bundledDefault: {
    message: (d: Svc) => `service "${d.service}" runs the collector image's bundled default config: nothing reaches Prometheus or Loki`,
    detail: (d: Svc & Read & Mounted) =>
      `${svc(d)} ${collectorReads(d)}${butMounted(d) || nothingMounts(d)}; the bundled config is OTLP in, debug out${assuming(d)}`,
  },
  configMissing: {
    message: (d: Svc & Read) => `service "${d.service}" reads ${d.readPath}, which nothing mounts: the collector stops at start`,
    detail: (d: Svc & Read & Mounted) =>
      `${svc(d)} ${collectorReads(d)}${butMounted(d)}; the collector says "unable to read the file file:${d.readPath}: open ${d.readPath}: no such file or directory"${assuming(d)}`,
  },
  wrongSource: {
    message: (d: Svc & { source: string }) => `service "${d.service}" reads its config from ${d.source}, not this folder's: the collector stops at start`,
    detail: (d: Svc & Read & { source: string; wanted: string }) =>
      `${svc(d)} ${collectorReads(d)} from ${d.source}, which is not the collector config of this folder (${d.wanted} is mounted nowhere); for a missing source Docker creates an empty directory, and the collector says "unable to read the file file:${d.readPath}: read ${d.readPath}: is a directory"${assuming(d)}`,
  },
  prometheusImageConfig: {
    message: (d: Svc) => `service "${d.service}" runs the Prometheus image's own prometheus.yml: the collector is never scraped`,
    detail: (d: Svc & Read & Mounted) =>
      `${svc(d)} ${prometheusReads(d)}${butMounted(d) || nothingMounts(d)}; the image's prometheus.yml scrapes only Prometheus itself${assuming(d)}`,
  },
  prometheusExits: {
    message: (d: Svc) => `service "${d.service}" reads a Prometheus config that is not there: Prometheus exits at start`,
    detail: (d: Svc & Read & Mounted) => {
      const flag = d.origin === 'working-dir-default' ? 'prometheus.yml' : d.readPath;
      return `${svc(d)} ${prometheusReads(d)}${butMounted(d) || nothingMounts(d)}; Prometheus says "Error loading config (--config.file=${flag})": "open ${flag}: no such file or directory"${assuming(d)}`;
    },
  },
  grafanaNotMounted: {
    message: (d: Svc & Provisioning) => `service "${d.service}" does not mount ${d.provisioned}: Grafana never provisions these ${d.what}`,
    detail: (d: Svc & Provisioning) => `${svc(d)}; Grafana reads ${d.dir}/*.yaml${assuming(d)}`,
  },
  grafanaWrongDir: {
    message: (d: Svc & Provisioning) => `service "${d.service}" mounts ${d.provisioned} where Grafana does not read it: it is never provisioned`,
    detail: (d: Svc & Provisioning & { at: string }) => `${svc(d)} mounts it at ${d.at}, but Grafana reads ${d.what} from ${d.dir}/*.yaml${assuming(d)}`,
  },
} as const;
type ConfigNotMountedFinding = RuleFinding<typeof messages>;

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
    "For the collector, Prometheus and Grafana services of a compose file: the path each program reads its config from (the collector's `--config`, else the image's /etc/otelcol-contrib/config.yaml or /etc/otelcol/config.yaml; Prometheus' `--config.file`, else /etc/prometheus/prometheus.yml, or prometheus.yml in /prometheus when `command` drops the flag; Grafana's provisioning folders) against the files mounted into the container. Flags a config file of the workspace mounted somewhere the program does not read, a read path nothing provides, and a collector command without any `--config`. For a service with `profiles:` (started only when one is active, which the doctor cannot see) the finding is a warning naming the profiles; so is one whose mount, command or provisioning folder takes a variable the shell that runs compose may set (`${VAR:-default}`, a .env value), naming the assumption (and its fix is then unsafe).",
  why: 'A config mounted at the wrong path is never read. The collector then runs its bundled default (OTLP in, `debug` out: "collector is up but nothing reaches Prometheus"), or stops with "unable to read the file …: no such file or directory", or, when `command` has no `--config`, with "at least one config flag must be provided". Prometheus runs the image\'s own prometheus.yml (it scrapes only itself) or exits with "Error loading config (--config.file=…)". Grafana never provisions a datasources file outside provisioning/datasources/.',
  fix: 'safe',
  fixDescription:
    "When exactly one config file of the workspace is mounted into the service at another path, moves that mount's target to the path the program reads (the `--config` and the rest of the service stay as they are). Unsafe where the paths take a variable the shell may set.",
  versions: 'all versions (collector image layout from the official Dockerfiles; Prometheus image CMD and working directory /prometheus)',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/Dockerfile (CMD --config /etc/otelcol-contrib/config.yaml)',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/config.yaml (the bundled default config)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/Dockerfile (CMD --config.file=/etc/prometheus/prometheus.yml)',
    'https://grafana.com/docs/grafana/latest/administration/provisioning/ (provisioning paths)',
  ],
  oracle: 'fixtures',
  certainty:
    "Each program reads its config from one path: the collector from --config or its image's default, Prometheus from --config.file or /etc/prometheus/prometheus.yml, Grafana from its provisioning folders (their docs and images). Error only when the path read is computed from the service's own command and image and no mount provides the workspace's file there, and none of those paths takes a variable the shell may set.",
  stage: 'Collector',
  messages,
  check(ws) {
    const t = topology(ws.stack);
    // A service gated by a profile the doctor cannot see active may never start: what it does when it runs is a warning.
    // A path compose takes from a variable (a default, .env) the shell that runs compose may set otherwise: a warning
    // that names the assumption.
    return [...collectorFindings(ws, t), ...prometheusFindings(ws, t), ...grafanaFindings(ws, t)].map((f) => {
      const assumed = pathAssumptions(ws, f.data);
      // Its fix is then unsafe too: with the shell's value the mount may already be right.
      const g = assumed.length ? ({ ...f, data: { ...f.data, assumed }, fix: f.fix && { ...f.fix, safety: 'unsafe' as const } } as ConfigNotMountedFinding) : f;
      return g.data.profiles || assumed.length ? { ...g, severity: 'warning' as const } : g;
    });
  },
});

/** Keys of a service whose values decide what is mounted and which path is read (and Grafana's provisioning folder). */
const PATH_KEYS = new Set(['volumes', 'configs', 'command', 'entrypoint']);
const decidesPath = (path: readonly (string | number)[], written: string) =>
  PATH_KEYS.has(String(path[2])) || (path[2] === 'environment' && (path[3] === 'GF_PATHS_PROVISIONING' || written.startsWith('GF_PATHS_PROVISIONING=')));

/**
 * What the service's mounts, command and environment took from variables the shell may set: a default or a .env
 * value (compose-interpolation's notes), or a variable only the shell can set (kept as written).
 */
function pathAssumptions(ws: Workspace, d: Svc): string[] {
  const compose = ws.stack.composes.find((c) => basename(c.file) === d.compose);
  const notes = (compose?.interpolation ?? []).filter((n) => n.path[0] === 'services' && n.path[1] === d.service && decidesPath(n.path, n.written));
  return notes.map(
    (n) =>
      describeAssumed(n.written, n.assumed) ??
      `\`${n.written}\`: ${n.unknown.join(', ')} only the shell that runs compose can set, so the doctor read it as written`,
  );
}

function collectorFindings(ws: Workspace, t: Topology): ConfigNotMountedFinding[] {
  const findings: ConfigNotMountedFinding[] = [];
  const files = ws.stack.collectors.map((c) => c.file);
  const unrun = ws.stack.collectors.filter((c) => !t.runnerOf(c));
  for (const cs of t.collectors) {
    if (!cs.reads || cs.runs.length > 0) continue;
    const elsewhere = placed(t, cs, files);
    if (cs.reads.length === 0) {
      const target = elsewhere[0]?.containerPath;
      const s = cs.service;
      findings.push({
        ...(s.fields.get('command') ?? s.fields.get('entrypoint') ?? s.value).location(),
        kind: 'noConfigFlag',
        data: svcOf(cs),
        hint: target ? `add "--config=${target}" to command` : 'add --config=<path of the mounted config> to command',
        fix:
          elsewhere.length === 1 ? fix('safe', `add --config=${target} to the command of ${cs.service.name}`, appendFlag(cs, `--config=${target}`)) : undefined,
      });
      continue;
    }
    for (const read of cs.reads.filter((r) => r.file)) {
      const f = collectorRead(
        ws,
        cs,
        read,
        elsewhere,
        unrun.map((c) => c.file),
      );
      if (f) findings.push(f);
    }
  }
  return findings;
}

function collectorRead(ws: Workspace, cs: ContainerService, read: ConfigRead, elsewhere: Placement[], unrun: string[]): ConfigNotMountedFinding | undefined {
  const one = elsewhere.length === 1 ? elsewhere[0] : undefined;
  const move = one ? fix('safe', `mount ${basename(one.mount.source)} at ${read.path}`, retarget(one.mount, read.path)) : undefined;
  const facts = { ...svcOf(cs), readPath: read.path, origin: read.origin };
  const mounted: Mounted = { mounted: elsewhere.map((p) => ({ file: rel(ws, p.file), at: p.containerPath })), unrun: unrun.map((f) => rel(ws, f)) };
  if (!read.mount) {
    if (read.origin === 'image-default') {
      if (elsewhere.length === 0 && unrun.length === 0) return undefined;
      return {
        ...(elsewhere.length ? elsewhere[0].mount.value : cs.service.value).location(),
        kind: 'bundledDefault',
        data: { ...facts, ...mounted },
        hint: one ? `mount it at ${read.path}, or add "--config=${one.containerPath}" to command` : `mount your collector config at ${read.path}`,
        fix: move,
      };
    }
    if (elsewhere.length === 0 && unrun.length === 0) return undefined;
    return {
      ...(read.argPath ? composeValueAt(cs.compose, read.argPath) : cs.service.value).location('value'),
      kind: 'configMissing',
      data: { ...facts, ...mounted },
      hint: one ? `mount it at ${read.path}, or pass --config=${one.containerPath}` : `mount your collector config at ${read.path}`,
      fix: move,
    };
  }
  // Something is mounted there. A host file in this folder that is none of its collector configs, while one of
  // them runs nowhere: most likely a misspelt source; Docker then creates an empty directory in its place.
  const src = hostSource(read.mount);
  if (!src.path || read.hostPath !== src.path || unrun.length !== 1) return undefined;
  if (!src.path.startsWith(ws.root) || ws.stack.files.some((f) => f.source.path === src.path)) return undefined;
  const wanted = unrun[0];
  // Relative to the folder compose resolves this mount's source against (an included file's, an extended file's).
  const newSource = `./${relative(read.mount.dir, wanted).split('\\').join('/')}`;
  const mount = read.mount.value;
  return {
    ...mount.location('value'),
    kind: 'wrongSource',
    data: { ...facts, source: read.mount.source, wanted: rel(ws, wanted) },
    hint: `mount ${newSource} instead`,
    fix: fix(
      'unsafe',
      `mount ${newSource} at ${read.path}`,
      yamlReplaceInScalar(mount.doc, mount.text() !== undefined ? mount.path : [...mount.path, 'source'], read.mount.source, newSource),
    ),
  };
}

function prometheusFindings(ws: Workspace, t: Topology): ConfigNotMountedFinding[] {
  const findings: ConfigNotMountedFinding[] = [];
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
    const one = elsewhere.length === 1 ? elsewhere[0] : undefined;
    const data = {
      ...svcOf(ps),
      readPath: read.path,
      origin: read.origin,
      mounted: elsewhere.map((p) => ({ file: rel(ws, p.file), at: p.containerPath })),
      unrun: unrun.map((p) => rel(ws, p.file)),
    };
    findings.push({
      ...(read.argPath ? composeValueAt(ps.compose, read.argPath).location('value') : (elsewhere[0]?.mount.value ?? ps.service.value).location()),
      ...(read.path === PROMETHEUS_IMAGE_CONFIG ? { kind: 'prometheusImageConfig', data } : { kind: 'prometheusExits', data }),
      hint: one
        ? read.origin === 'working-dir-default'
          ? `add --config.file=${one.containerPath} to command`
          : `mount it at ${read.path}`
        : `mount your prometheus.yml at ${read.path}`,
      fix: !one
        ? undefined
        : read.origin === 'working-dir-default' && ps.service.fields.get('command')?.isList()
          ? fix('safe', `add --config.file=${one.containerPath} to the command of ${ps.service.name}`, appendFlag(ps, `--config.file=${one.containerPath}`))
          : fix('safe', `mount ${basename(one.mount.source)} at ${read.path}`, retarget(one.mount, read.path)),
    });
  }
  return findings;
}

const GRAFANA_DIRS: Partial<Record<FileKind, { dir: string; what: string }>> = {
  'grafana-datasources': { dir: 'datasources', what: 'datasources' },
  'grafana-dashboards': { dir: 'dashboards', what: 'dashboard providers' },
};

function grafanaFindings(ws: Workspace, t: Topology): ConfigNotMountedFinding[] {
  const findings: ConfigNotMountedFinding[] = [];
  /** The YAML files this Grafana service reads from a provisioning folder (`datasources`, `dashboards`), placed where it reads them. */
  const readsFrom = (gs: ContainerService, kindDir: string, file?: string) => {
    const dir = `${grafanaProvisioningDir(gs.service)}/${kindDir}`;
    return ws.stack.files
      .filter((f) => file === undefined || f.source.path === file)
      .flatMap((f) => t.placementsOf(f.source.path))
      .filter((p) => p.service === gs.service && posix.dirname(p.containerPath) === dir && /\.ya?ml$/i.test(p.containerPath));
  };
  for (const gs of t.grafana) {
    const prov = grafanaProvisioningDir(gs.service);
    for (const f of ws.stack.files) {
      const kind = GRAFANA_DIRS[f.kind];
      if (!kind) continue;
      const dir = `${prov}/${kind.dir}`;
      const places = t.placementsOf(f.source.path).filter((p) => p.service === gs.service);
      if (readsFrom(gs, kind.dir, f.source.path).length > 0) continue;
      // Not meant for this Grafana: another Grafana service provisions the file (a second compose project run
      // alone with -f, say), or this one provisions its own file of that kind there.
      if (
        places.length === 0 &&
        (t.grafana.some((other) => other !== gs && readsFrom(other, kind.dir, f.source.path).length > 0) || readsFrom(gs, kind.dir).length > 0)
      )
        continue;
      const name = rel(ws, f.source.path);
      const data = { ...svcOf(gs), provisioned: name, what: kind.what, dir };
      if (places.length === 0) {
        findings.push({
          ...gs.service.value.location(),
          kind: 'grafanaNotMounted',
          data,
          hint: `mount it: - ./${relative(dirname(gs.service.value.file), f.source.path).split('\\').join('/')}:${dir}/${basename(f.source.path).replace(/\.(yml|yaml)$/i, '')}.yaml`,
        });
        continue;
      }
      const p = places[0];
      const to = `${dir}/${posix.basename(p.containerPath).replace(/(\.ya?ml)?$/i, (m) => m || '.yaml')}`;
      findings.push({
        ...p.mount.value.location('value'),
        kind: 'grafanaWrongDir',
        data: { ...data, at: p.containerPath },
        hint: `mount it at ${to}`,
        fix: p.mount.target.replace(/\/+$/, '') === p.containerPath ? fix('safe', `mount ${name} at ${to}`, retarget(p.mount, to)) : undefined,
      });
    }
  }
  return findings;
}
