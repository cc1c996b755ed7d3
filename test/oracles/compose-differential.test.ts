// Differential test: the doctor's compose model (src/model/compose.ts) against compose-go, the library
// `docker compose` loads projects with (test/oracles/compose-check, versions.json's composeGo).
//
// Corpus (discovered): every file under fixtures/*/files/** the doctor classifies as compose, plus
// test/oracles/corpus/compose/*.y(a)ml. Each is loaded by both, with only the `.env` beside it as the
// environment (never the shell), and compared service by service, field by field, normalised as compose
// normalises: relative bind sources and config files resolved against the compose file's folder, `~` against
// the home folder, a config's target defaulting to `/<name>`, a port without a host port published as "".
//
// Where the doctor does not know a value (it depends on a variable that is unset and has no default, so
// compose would substitute "" with a warning), the doctor must say so rather than guess: such a field is not
// compared, but compose-check must report that variable as unset.
//
// The differences that remain are listed in KNOWN below, each with why: the test fails when a new one
// appears and when a listed one is gone (then remove it from the list).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textSource } from '../../src/load/read.js';
import { parseYaml } from '../../src/load/yaml.js';
import { type ComposeService, loadCompose } from '../../src/model/compose.js';
import { discoverCorpus, oracleDescribe } from './differential-support.js';
import { composeCheckBinary, PROVISION_COMPOSE, versions } from './paths.js';

interface OraclePort {
  host_ip: string;
  published: string;
  target: number;
  protocol: string;
}
interface OracleService {
  image: string;
  ports: OraclePort[];
  volumes: { type: string; source: string; target: string }[];
  configs: { source: string; target: string; file: string }[];
  environment: Record<string, string | null>;
  network_mode: string;
  command: string[] | null;
}
interface OracleProject {
  working_dir: string;
  services: Record<string, OracleService>;
  disabled: Record<string, OracleService>;
  unset: string[];
}

/** Differences between the doctor and compose-go known today: `<file> <service>.<field>` → why. */
const KNOWN: Record<string, string> = {
  // `extends: {file: …}` is not followed yet (multi-file projects, #14 class 3).
  'test/oracles/corpus/compose/compose-extends-file.yml collector.image': 'extends: file: not followed',
  'test/oracles/corpus/compose/compose-extends-file.yml collector.ports': 'extends: file: not followed',
  'test/oracles/corpus/compose/compose-extends-file.yml collector.volumes': 'extends: file: not followed',
  'test/oracles/corpus/compose/compose-extends-file.yml collector.environment': 'extends: file: not followed',
  'test/oracles/corpus/compose/compose-extends-file.yml collector.command': 'extends: file: not followed',
};

const corpus = discoverCorpus('compose', 'compose', /\.ya?ml$/);

describe('compose differential corpus', () => {
  it('has at least 50 compose files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
  });
});

/**
 * compose-check on one file. A project that reads a required variable (`${X:?msg}`) that is not in .env is refused
 * unless the shell sets it: it is loaded again with X set as the shell would (`--env X=…`); the doctor must list
 * X among the variables it cannot know (checked by the caller through `shell`).
 */
function oracle(bin: string, file: string): { project?: OracleProject; error?: string; shell: string[] } {
  const shell: string[] = [];
  for (;;) {
    const r = spawnSync(bin, [...shell.flatMap((n) => ['--env', `${n}=set-in-the-shell`]), file], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return { project: JSON.parse(r.stdout), shell };
    const error = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
    const required = /required variable (\w+) is missing a value/.exec(error)?.[1];
    if (!required || shell.includes(required)) return { error, shell };
    shell.push(required);
  }
}

const hostPath = (dir: string, p: string) => (p.startsWith('~') ? join(homedir(), p.slice(1)) : isAbsolute(p) ? p : resolve(dir, p));

const sorted = (env: Record<string, unknown>) => Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));

/** The doctor's service in compose-check's shape; `undefined` fields are ones the doctor says it does not know. */
function doctorService(s: ComposeService, dir: string, unknown: Set<string>) {
  const known = (field: string, v: unknown) => (unknown.has(field) ? undefined : v);
  const volumes = s.mounts.filter((m) => m.type !== 'config');
  const configs = s.mounts.filter((m) => m.type === 'config');
  return {
    image: known('image', s.image ?? ''),
    ports: known(
      'ports',
      s.ports.map((p) => ({ host_ip: p.hostIp ?? '', published: p.published ?? '', target: p.containerPort, protocol: p.protocol })),
    ),
    volumes: known(
      'volumes',
      volumes.map((m) => ({ type: m.type, source: m.type === 'bind' ? hostPath(dir, m.source) : m.source, target: m.target })),
    ),
    configs: known(
      'configs',
      configs.map((m) => ({ target: m.target, file: hostPath(dir, m.source) })),
    ),
    // Variables whose value the doctor says it cannot know are left out on both sides.
    environment: sorted(Object.fromEntries(Object.entries(s.environment).filter(([k]) => !s.unknownEnvironment.has(k)))),
    network_mode: known('network_mode', s.networkMode ?? ''),
    command: known('command', s.command),
  };
}

function oracleService(s: OracleService, omitEnv: Set<string>) {
  return {
    image: s.image,
    ports: s.ports.map((p) => ({ ...p, protocol: p.protocol || 'tcp' })),
    volumes: s.volumes,
    // Configs without a file (external, content:, environment:) are not mounts of a host file.
    configs: s.configs.filter((c) => c.file).map((c) => ({ target: c.target || `/${c.source}`, file: c.file })),
    environment: sorted(Object.fromEntries(Object.entries(s.environment).filter(([k]) => !omitEnv.has(k)))),
    network_mode: s.network_mode,
    command: s.command ?? [],
  };
}

/** Every field where the two differ: `<service>.<field>` → both values. */
function differences(file: string, bin: string): { diffs: Map<string, string>; refused?: string } {
  const text = readFileSync(file, 'utf8');
  const r = textSource(file, text, 'yaml');
  if (!r.ok) throw new Error(`cannot read ${file}`);
  const compose = loadCompose(parseYaml(r.source));
  const { project, error, shell } = oracle(bin, file);
  const diffs = new Map<string, string>();
  // compose refuses a service whose env_file is missing; the doctor must say it could not read it.
  if (!project && /env file .* not found/.test(error ?? '') && compose.services.some((s) => s.hasEnvFile)) return { diffs };
  if (!project) return { diffs, refused: error };
  const unknownToDoctor = new Set(compose.interpolation.flatMap((n) => n.unknown));
  for (const v of shell) if (!unknownToDoctor.has(v)) diffs.set(`(required ${v})`, `compose-go needs ${v} from the shell, the doctor thinks it knows it`);
  const dir = dirname(resolve(file));
  const theirs = { ...project.services, ...project.disabled };
  const names = new Set([...compose.services.map((s) => s.name), ...Object.keys(theirs)]);
  for (const name of names) {
    const mine = compose.services.find((s) => s.name === name);
    const their = theirs[name];
    if (!mine || !their) {
      diffs.set(`${name}`, `doctor ${mine ? 'has' : 'lacks'} it, compose-go ${their ? 'has' : 'lacks'} it`);
      continue;
    }
    // Fields holding a value the doctor kept as written (it reads a variable the doctor cannot know): each such
    // variable must be one compose-go found unset (it substituted "").
    const unknownFields = new Set<string>();
    for (const n of compose.interpolation) {
      if (n.value !== undefined || n.path[0] !== 'services' || n.path[1] !== name) continue;
      unknownFields.add(String(n.path[2]));
      for (const v of n.unknown)
        if (!project.unset.includes(v) && !shell.includes(v)) diffs.set(`${name}.${n.path.slice(2).join('.')}`, `doctor does not know ${v}, compose-go has it`);
    }
    // A service of a profile is started only when the profile is active (none is, here).
    if (mine.profiles.length > 0 !== name in project.disabled)
      diffs.set(`${name}.profiles`, `doctor ${JSON.stringify(mine.profiles)}, compose-go ${name in project.disabled ? 'disabled' : 'enabled'}`);
    const a = doctorService(mine, dir, unknownFields) as Record<string, unknown>;
    const b = oracleService(their, mine.unknownEnvironment) as Record<string, unknown>;
    for (const field of Object.keys(b)) {
      if (a[field] === undefined) continue;
      const x = JSON.stringify(a[field]);
      const y = JSON.stringify(b[field]);
      if (x !== y) diffs.set(`${name}.${field}`, `doctor ${x}\n      compose-go ${y}`);
    }
  }
  return { diffs };
}

oracleDescribe(`compose-check (compose-go ${versions.composeGo})`, composeCheckBinary(), PROVISION_COMPOSE, (bin) => {
  it('reports the compose-go version it links', () => {
    expect(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`compose-check compose-go ${versions.composeGo}`);
  });

  it('the doctor reads every compose file as compose-go does, but for the known differences', () => {
    const found: Record<string, string> = {};
    const refused: string[] = [];
    for (const c of corpus) {
      const { diffs, refused: why } = differences(c.path, bin);
      if (why) refused.push(`${c.name}: ${why}`);
      for (const [key, detail] of diffs) found[`${c.name} ${key}`] = detail;
    }
    const unexpected = Object.entries(found)
      .filter(([k]) => !(k in KNOWN))
      .map(([k, d]) => `${k}\n      ${d}`);
    const gone = Object.keys(KNOWN).filter((k) => !(k in found));
    expect(unexpected, 'differences not in KNOWN').toEqual([]);
    expect(gone, 'KNOWN differences that are gone (remove them from KNOWN)').toEqual([]);
    expect(refused, 'compose files compose-go refuses').toEqual([]);
  });
});
