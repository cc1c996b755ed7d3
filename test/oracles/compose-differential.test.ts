// Differential test: the doctor's compose model (src/model/compose.ts) against compose-go, the library
// `docker compose` loads projects with (test/oracles/compose-check, versions.json's composeGo).
//
// Corpus (discovered): the compose files of each fixture (fixtures/*/files/**, grouped into projects as the stack
// groups them: a main file with its override, includes and extended files), each test/oracles/corpus/compose/*.y(a)ml
// alone, and each folder under test/oracles/corpus/compose/ as the projects the stack makes of it. compose-check
// loads each project from the files `docker compose` in its folder would (the main file and its override file),
// with only the `.env` beside the main file as the environment (never the shell); both are compared service by
// service, field by field, normalised as compose normalises: relative bind sources and config files resolved
// against the folder compose resolves them against (the project's, an included project's, an extended file's),
// `~` against the home folder, a config's target defaulting to `/<name>`, a port without a host port published as "".
//
// Where the doctor does not know a value (it depends on a variable that is unset and has no default, so
// compose would substitute "" with a warning), the doctor must say so rather than guess: such a field is not
// compared, but compose-check must report that variable as unset. There is no list of tolerated differences.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textSource } from '../../src/load/read.js';
import type { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { COMPOSE_OVERRIDE_NAMES, type ComposeFile, type ComposeService, loadCompose } from '../../src/model/compose.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import { packageRoot } from '../../src/util/paths.js';
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

const corpusRoot = join(packageRoot, 'test/oracles/corpus/compose');
/** Each file of the corpus folder is a project alone. */
const loose = readdirSync(corpusRoot)
  .filter((n) => /\.ya?ml$/.test(n))
  .map((n) => join(corpusRoot, n));
/** Multi-file projects: each folder under the corpus holds some (a main file, its override, included and extended files). */
const projectFolders = readdirSync(corpusRoot, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(corpusRoot, d.name));
/** The fixtures' compose files, by fixture. */
const fixtureFiles = new Map<string, string[]>();
for (const { path } of discoverCorpus('compose', 'compose', /^$/)) {
  const fixture = relative(join(packageRoot, 'fixtures'), path).split('/')[0];
  fixtureFiles.set(fixture, [...(fixtureFiles.get(fixture) ?? []), path]);
}
const groups = [...fixtureFiles.values(), ...projectFolders.map(composeFilesUnder)];
const fileCount = groups.flat().length + loose.length;

/** Every compose file of a folder tree (a project folder of the corpus). */
function composeFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

function readSource(path: string): SourceFile {
  const r = textSource(path, readFileSync(path, 'utf8'), 'yaml');
  if (!r.ok) throw new Error(`cannot read ${path}`);
  return r.source;
}

/** The compose projects the stack makes of these files, each with the files `docker compose` in its folder reads (`-f`: the main file and its override). */
function projectsOf(paths: string[]): { compose: ComposeFile; files: string[] }[] {
  const files: StackFile[] = paths.map((path) => ({ kind: 'compose', source: readSource(path) }));
  const projects = buildStack(files).composes;
  return projects.map((compose) => {
    const override = compose.files.find(
      (f) => f.file !== compose.file && COMPOSE_OVERRIDE_NAMES.includes(basename(f.file)) && dirname(f.file) === dirname(compose.file),
    );
    return { compose, files: override ? [compose.file, override.file] : [compose.file] };
  });
}

describe('compose differential corpus', () => {
  it('has at least 50 compose files and 6 multi-file projects', () => {
    expect(fileCount).toBeGreaterThanOrEqual(50);
    expect(projectFolders.length).toBeGreaterThanOrEqual(6);
  });
});

/**
 * compose-check on one file. A project that reads a required variable (`${X:?msg}`) that is not in .env is refused
 * unless the shell sets it: it is loaded again with X set as the shell would (`--env X=…`); the doctor must list
 * X among the variables it cannot know (checked by the caller through `shell`).
 */
function oracle(bin: string, files: string[]): { project?: OracleProject; error?: string; shell: string[] } {
  const shell: string[] = [];
  for (;;) {
    const r = spawnSync(bin, [...shell.flatMap((n) => ['--env', `${n}=set-in-the-shell`]), ...files], { encoding: 'utf8', timeout: 30_000 });
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
function doctorService(s: ComposeService, unknown: Set<string>) {
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
      volumes.map((m) => ({ type: m.type, source: m.type === 'bind' ? hostPath(m.dir, m.source) : m.source, target: m.target })),
    ),
    configs: known(
      'configs',
      configs.map((m) => ({ target: m.target, file: hostPath(m.dir, m.source) })),
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
function differences(compose: ComposeFile, files: string[], bin: string): { diffs: Map<string, string>; refused?: string } {
  const { project, error, shell } = oracle(bin, files);
  const diffs = new Map<string, string>();
  // compose refuses a service whose env_file is missing; the doctor must say it could not read it.
  if (!project && /env file .* not found/.test(error ?? '') && compose.services.some((s) => s.hasEnvFile)) return { diffs };
  // compose refuses a project whose include or extends file is missing; the doctor must say it did not read it.
  if (!project && /no such file or directory/.test(error ?? '') && compose.unfollowed.length > 0) return { diffs };
  if (!project) return { diffs, refused: error };
  const unknownToDoctor = new Set(compose.interpolation.flatMap((n) => n.unknown));
  for (const v of shell) if (!unknownToDoctor.has(v)) diffs.set(`(required ${v})`, `compose-go needs ${v} from the shell, the doctor thinks it knows it`);
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
    const a = doctorService(mine, unknownFields) as Record<string, unknown>;
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

  it('the doctor reads every compose project as compose-go does', () => {
    const found: Record<string, string> = {};
    const refused: string[] = [];
    const check = (compose: ComposeFile, files: string[]) => {
      const name = files.map((f) => relative(packageRoot, f)).join(' + ');
      const { diffs, refused: why } = differences(compose, files, bin);
      if (why) refused.push(`${name}: ${why}`);
      for (const [key, detail] of diffs) found[`${name} ${key}`] = detail;
    };
    for (const group of groups) for (const p of projectsOf(group)) check(p.compose, p.files);
    for (const file of loose) check(loadCompose(parseYaml(readSource(file))), [file]);
    expect(
      Object.entries(found).map(([k, d]) => `${k}\n      ${d}`),
      'differences',
    ).toEqual([]);
    expect(refused, 'compose files compose-go refuses').toEqual([]);
  });
});
