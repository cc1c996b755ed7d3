// Runs a compose stack without Docker: each service as a native process on this host, read from the compose file
// with the doctor's own compose model (src/model/compose.ts, topology.ts), so it serves any fixture stack.
// - A collector image runs the collector build of the image's version (test/oracles/paths.ts; another build, said so
//   in `runs`, when that version is not provisioned); a Prometheus image runs Debian's prometheus (2.x, said so).
//   Each gets the service's `command` (or the image's CMD) with every container path turned into a host path: a
//   mount's (a bind's file, a scratch folder per named volume), else a scratch folder for the container's own
//   filesystem; so the config each process reads is the file the container would see. One flag is added: the collector's own telemetry listener (:8888) is
//   private to a container and unpublished, natively it would be shared with every other collector on the host.
// - Loki and Grafana images are the documented-API doubles (fake-loki.ts, fake-grafana.ts), in one process; the
//   Grafana double holds the datasources and dashboards the mounted provisioning folder declares, and the admin
//   user and password of the service's environment (interpolated from .env as compose does).
// - Every process runs in a private mount namespace (`unshare -m`, as run-claude.ts does for /etc) with a hosts
//   file bind-mounted over /etc/hosts in which every service name and alias is 127.0.0.1: `otel-collector:8889`
//   and `http://loki:3100` mean this host, as on the compose network.
// - Ports are not rewritten: a process listens where its config says (the stack's 0.0.0.0 listeners bind every
//   interface of this host), and the published ports must be free and equal to the container ports; otherwise
//   startNativeStack fails saying which port and which service.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import {
  isCollectorImage,
  isGrafanaImage,
  isLokiImage,
  isPrometheusImage,
  loadCompose,
  type ComposeFile,
  type ComposeService,
} from '../../src/model/compose.js';
import {
  defaultCollectorConfigPath,
  grafanaProvisioningDir,
  hostSource,
  mountAt,
  PROMETHEUS_IMAGE_CONFIG,
  PROMETHEUS_WORKDIR,
} from '../../src/model/topology.js';
import type { FakeDatasource } from './fake-grafana.js';
import type { DoublesSpec } from './native-stack-doubles.js';
import { collectorBinary, PROVISION_COLLECTOR, PROVISION_PROMETHEUS, prometheusServerBinary, versions, type CollectorRole } from '../oracles/paths.js';

export interface StartedService {
  name: string;
  image: string;
  /** What runs for it: "otelcol 0.165.0 (the image's version)", "prometheus 2.42.0 (Debian) for …", "Loki double". */
  runs: string;
}

export interface NativeStack {
  compose: ComposeFile;
  started: StartedService[];
  /** Services with no binary or double here, and why. */
  notStarted: { name: string; why: string }[];
  /** Names that resolve to 127.0.0.1 inside the stack. */
  hostnames: string[];
  /** What every process printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOUBLES = fileURLToPath(new URL('./native-stack-doubles.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why the native stack cannot run here (for describeWithComponents), or undefined. */
export function nativeStackMissing(): string | undefined {
  if (spawnSync('unshare', ['-m', 'true'], { stdio: 'ignore' }).status !== 0) return '`unshare -m` fails here (needs root or CAP_SYS_ADMIN)';
  if (!prometheusServerBinary()) return `the Prometheus server is not provisioned; run \`${PROVISION_PROMETHEUS}\``;
  if (!collectorBinary('current')) return `collector ${versions.collector.current} is not provisioned; run \`${PROVISION_COLLECTOR}\``;
  return undefined;
}

type Kind = 'collector' | 'prometheus' | 'loki' | 'grafana';
function kindOf(s: ComposeService): Kind | undefined {
  if (isCollectorImage(s.repository)) return 'collector';
  if (isPrometheusImage(s.repository)) return 'prometheus';
  if (isLokiImage(s.repository)) return 'loki';
  if (isGrafanaImage(s.repository)) return 'grafana';
  return undefined;
}

/** The port a double listens on inside its container: the published container port, else the image's default. */
const DOUBLE_PORT = { loki: 3100, grafana: 3000 } as const;

export async function startNativeStack(composePath: string): Promise<NativeStack> {
  const compose = loadCompose(parseYaml(new SourceFile(composePath, readFileSync(composePath, 'utf8'))));
  const work = mkdtempSync(join(tmpdir(), 'cod-native-stack-'));
  const hostnames = [...new Set(compose.services.flatMap((s) => [s.name, ...s.aliases]))];
  const hosts = join(work, 'hosts');
  writeFileSync(
    hosts,
    `${readFileSync('/etc/hosts', 'utf8').trimEnd()}\n# the compose services, as native processes on this host\n127.0.0.1 ${hostnames.join(' ')}\n`,
  );

  const started: StartedService[] = [];
  const notStarted: { name: string; why: string }[] = [];
  const processes: Running[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(work, { recursive: true, force: true });
  };
  const output = () => processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n');
  try {
    const doubles: DoublesSpec = { loki: [], grafana: [] };
    const real: { s: ComposeService; binary: string; args: string[]; cwd: string }[] = [];
    for (const s of compose.services) {
      const kind = kindOf(s);
      const image = s.image ?? '';
      if (!kind) {
        notStarted.push({ name: s.name, why: `no binary or double here for image ${image || '(none)'}` });
        continue;
      }
      if (s.profiles.length) {
        notStarted.push({ name: s.name, why: `only under profile ${s.profiles.join(', ')}` });
        continue;
      }
      await checkPorts(s);
      const paths = new ContainerPaths(s, join(work, 'volumes'));
      if (kind === 'loki' || kind === 'grafana') {
        const port = s.ports[0]?.containerPort ?? DOUBLE_PORT[kind];
        if (kind === 'loki') doubles.loki.push({ port, bind: '127.0.0.1' });
        else doubles.grafana.push({ port, bind: '127.0.0.1', options: grafanaDouble(s, paths) });
        started.push({ name: s.name, image, runs: `the ${kind === 'loki' ? 'Loki' : 'Grafana'} double (documented API, test/harness/fake-${kind}.ts)` });
        continue;
      }
      if (s.entrypoint.length) throw new Error(`${s.name}: an entrypoint (${s.entrypoint.join(' ')}) cannot run natively`);
      const cwd = paths.anyPath(kind === 'prometheus' ? PROMETHEUS_WORKDIR : '/');
      mkdirSync(cwd, { recursive: true });
      const command = s.command.length ? s.command : imageCommand(kind, s);
      const args = command.map((w) => paths.translate(w));
      if (kind === 'collector') {
        const { binary, runs } = collectorFor(s.tag);
        real.push({ s, binary, args: [...args, '--set=service.telemetry.metrics.level=none'], cwd });
        started.push({ name: s.name, image, runs });
      } else {
        const binary = prometheusServerBinary()!;
        const version = /version (\S+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
        real.push({ s, binary, args, cwd });
        started.push({ name: s.name, image, runs: `prometheus ${version} (Debian) for ${image}` });
      }
    }
    if (doubles.loki.length || doubles.grafana.length) {
      const p = spawnInNamespace('doubles', hosts, process.execPath, ['--import', 'tsx', DOUBLES, JSON.stringify(doubles)], REPO);
      processes.push(p);
      await p.until(() => p.output().includes('ready\n'), 20_000);
    }
    for (const r of real) {
      const p = spawnInNamespace(r.s.name, hosts, r.binary, r.args, r.cwd);
      processes.push(p);
    }
    // Ready when every published port of every real service accepts connections.
    await Promise.all(
      real.map((r, i) => {
        const p = processes[processes.length - real.length + i];
        return p.until(async () => (await Promise.all(r.s.ports.map((x) => accepts(x.hostPort!)))).every(Boolean), 30_000);
      }),
    );
    return { compose, started, notStarted, hostnames, output, stop };
  } catch (err) {
    const text = output();
    await stop();
    throw new Error(`${(err as Error).message}${text ? `\n${text}` : ''}`);
  }
}

/** The image's CMD when the service has no `command`. */
function imageCommand(kind: 'collector' | 'prometheus', s: ComposeService): string[] {
  if (kind === 'prometheus') return [`--config.file=${PROMETHEUS_IMAGE_CONFIG}`, `--storage.tsdb.path=${PROMETHEUS_WORKDIR}`];
  const config = defaultCollectorConfigPath(s.repository);
  if (!config) throw new Error(`${s.name}: the default config path of ${s.image} is not known; give it a command`);
  return [`--config=${config}`];
}

function collectorFor(tag: string | undefined): { binary: string; runs: string } {
  const wanted = (tag ?? '').replace(/^v/, '');
  const roles = Object.keys(versions.collector) as CollectorRole[];
  const role = roles.find((r) => versions.collector[r] === wanted && collectorBinary(r));
  if (role) return { binary: collectorBinary(role)!, runs: `otelcol ${wanted} (the image's version)` };
  const current = versions.collector.current;
  return { binary: collectorBinary('current')!, runs: `otelcol ${current}: no build of the image's version ${wanted || '(untagged)'} is provisioned` };
}

/** Container paths of one service, as host paths: through its mounts (a scratch folder per volume), else scratch. */
class ContainerPaths {
  constructor(
    private s: ComposeService,
    private volumes: string,
  ) {}

  scratch(name: string): string {
    return join(this.volumes, `${this.s.name}-${name}`);
  }

  host(containerPath: string): string | undefined {
    const m = mountAt(this.s, containerPath);
    if (!m) return undefined;
    const rest = containerPath.slice(m.target.replace(/\/+$/, '').length);
    let base: string;
    if (m.type === 'bind' || m.type === 'config') {
      const src = hostSource(m);
      if (!src.path) throw new Error(`${this.s.name}: the mount source ${m.source} depends on the environment (${src.unresolved})`);
      base = src.path;
    } else {
      // Named volumes are shared between services, as compose shares them; anonymous ones and tmpfs are not.
      base = m.type === 'volume' && m.source ? join(this.volumes, m.source) : this.scratch(m.target.replace(/\W+/g, '_'));
      mkdirSync(base, { recursive: true });
    }
    return rest ? join(base, rest) : base;
  }

  /**
   * A container path as a host path: through the mount covering it, else in a scratch folder standing for the
   * container's own filesystem (empty: the image's files are not here), so nothing outside the stack is written.
   */
  anyPath(containerPath: string): string {
    const p = posix.normalize(containerPath);
    return this.host(p) ?? join(this.scratch('fs'), p);
  }

  /** A command word with a container path (`/x`, `--flag=/x`) turned into its host path. */
  translate(word: string): string {
    const m = /^(-[^=]*=)?(\/.*)$/.exec(word);
    if (!m) return word;
    const path = this.anyPath(m[2]);
    mkdirSync(dirname(path), { recursive: true });
    return `${m[1] ?? ''}${path}`;
  }

  /** The host files a container sees under a folder: the mount covering it, and mounts inside it. */
  filesUnder(containerDir: string): string[] {
    const dir = posix.normalize(containerDir).replace(/\/+$/, '');
    const covering = this.host(dir);
    const inside = this.s.mounts.filter((m) => m.target.startsWith(`${dir}/`)).map((m) => this.host(posix.normalize(m.target)));
    return [...new Set([covering, ...inside].filter((p): p is string => !!p).flatMap((p) => listFiles(p)))];
  }
}

/** The Grafana double as the service's provisioning folder and environment describe it. */
function grafanaDouble(s: ComposeService, paths: ContainerPaths): DoublesSpec['grafana'][number]['options'] {
  const provisioning = grafanaProvisioningDir(s);
  const yamlFiles = (dir: string) =>
    paths
      .filesUnder(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => parse(readFileSync(f, 'utf8')) as Record<string, unknown>);
  const datasources: FakeDatasource[] = yamlFiles(`${provisioning}/datasources`).flatMap((doc) =>
    ((doc?.datasources as Record<string, string>[] | undefined) ?? []).map((d) => ({ uid: d.uid ?? d.name, name: d.name, type: d.type, url: d.url })),
  );
  const dashboards = yamlFiles(`${provisioning}/dashboards`).flatMap((doc) =>
    ((doc?.providers as { options?: { path?: string } }[] | undefined) ?? []).flatMap((p) =>
      (p.options?.path ? paths.filesUnder(p.options.path) : [])
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { uid?: string; title?: string })
        .filter((d) => d.uid)
        .map((d) => ({ uid: d.uid!, title: d.title ?? d.uid! })),
    ),
  );
  const env = s.environment;
  return {
    datasources,
    dashboards,
    users: { [env.GF_SECURITY_ADMIN_USER ?? 'admin']: env.GF_SECURITY_ADMIN_PASSWORD ?? 'admin' },
    version: s.tag,
  };
}

/** Every file under a path (the path itself when it is a file), or none. */
function listFiles(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path).flatMap((name) => listFiles(join(path, name)));
  } catch {
    return [];
  }
}

/** Each published port must be the container's port and free on this host. */
async function checkPorts(s: ComposeService): Promise<void> {
  for (const p of s.ports) {
    if (p.hostPort === undefined) throw new Error(`${s.name}: port ${p.containerPort} is published without a fixed host port; the native stack needs one`);
    if (p.hostPort !== p.containerPort)
      throw new Error(`${s.name}: publishes ${p.hostPort}:${p.containerPort}; natively a process listens on its own port, so both must be equal`);
    if (!(await free(p.hostPort)))
      throw new Error(
        `port ${p.hostPort}, published by ${s.name}, is in use on this host: the native stack listens on the published ports; stop what holds it`,
      );
  }
}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Running {
  name: string;
  output(): string;
  /** Waits until `ready` holds; throws when the process exits first or the time is up. */
  until(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** `binary args…` in a private mount namespace where `hosts` is /etc/hosts (unshare's mounts are private by default). */
function spawnInNamespace(name: string, hosts: string, binary: string, args: string[], cwd: string): Running {
  const child: ChildProcess = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hosts, binary, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let exited = false;
  child.stdout!.on('data', (d: Buffer) => (text += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString('utf8')));
  child.on('exit', () => (exited = true));
  return {
    name,
    output: () => text,
    async until(ready, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exited) throw new Error(`${name} exited at start`);
        if (await ready()) return;
        await sleep(150);
      }
      throw new Error(`${name} was not ready after ${timeoutMs / 1000} s`);
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
