// `npm run new-rule -- <area>/<name>`: writes a rule from a template (src/rules/<area>/<name>.ts), a failing and a
// passing fixture built from its bad/good examples, regenerates the registry and the docs, and says what is left.
// `npm run new-rule -- <area>/<name> --fixtures` rebuilds the two fixtures' files from the rule's examples as they
// are now (once they are written).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AREAS, type AnyRule, type RuleExample } from '../src/rules/define.js';
import type { Stage } from '../src/types.js';
import { packageRoot } from '../src/util/paths.js';
import { writeRegistry } from './gen-registry.js';

/**
 * One file of an example, placed in a fixture folder: `files/…` (a scanned folder), or a machine's `home/…`,
 * `project/…`, `managed/…` and `shell.env` (the shell's exported variables).
 */
export interface PlacedFile {
  path: string;
  text: string;
}

/** The stack a stack file's example stands in (its files of the same names are replaced by the example's). */
export const EXAMPLE_STACK = 'fixtures/healthy-full-stack/files';

/** Shell startup files: an example of one is the shell's exported variables (a fixture's shell.env). */
const SHELL_FILES = new Set(['~/.zshrc', '~/.bashrc', '~/.bash_profile', '~/.profile']);
/** Where managed settings live on Linux: a fixture's managed/ folder. */
const MANAGED_DIR = '/etc/claude-code/';

/** Where one file named by an example goes in a fixture folder. */
function placeFile(name: string): string {
  if (SHELL_FILES.has(name)) return 'shell.env';
  if (name.startsWith(MANAGED_DIR)) return `managed/${name.slice(MANAGED_DIR.length)}`;
  if (name.startsWith('~/')) return `home/${name.slice(2)}`;
  if (name.startsWith('<repo>/')) return `project/${name.slice('<repo>/'.length)}`;
  return `files/${name}`;
}

/**
 * Where an example's files go in a fixture folder, so the doctor reads each as the file the example names:
 * `~/.claude/settings.json` under `home/`, `<repo>/.claude/settings.json` under `project/`,
 * `/etc/claude-code/managed-settings.json` under `managed/`, `~/.zshrc` (or another shell startup file) as
 * `shell.env`, anything else in the scanned `files/` folder. `a.yml + b.yml` names two files whose texts are
 * separated by a `---` line; a note in parentheses after the name is dropped. Undefined when the example is not
 * files (a shell session, an output).
 */
export function placeExample(example: RuleExample): PlacedFile[] | undefined {
  const names = example.file.replace(/\s*\(.*\)$/, '').split(' + ');
  const texts = names.length === 1 ? [example.text] : example.text.split(/^---\n/m);
  if (texts.length !== names.length) return undefined;
  if (names.some((name) => /\s/.test(name) || name === 'shell')) return undefined;
  const placed = names.map((name, i) => ({ path: placeFile(name), text: texts[i] }));
  // A fixture is either a scanned folder or a machine (home, project, managed, shell): the two do not mix.
  if (new Set(placed.map((f) => f.path.startsWith('files/'))).size > 1) return undefined;
  return placed;
}

/** The files of EXAMPLE_STACK, as paths under `files/`. */
function stackFiles(root: string): PlacedFile[] {
  const dir = join(root, EXAMPLE_STACK);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({ path: `files/${name}`, text: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * A fixture that runs an example: its files (stack files inside EXAMPLE_STACK, settings alone on a machine) and
 * the extra `check` flags (`{{dir}}` is the fixture folder, as in case.json). Undefined as for placeExample.
 */
export function exampleCase(example: RuleExample, root: string = packageRoot): { files: PlacedFile[]; args: string[] } | undefined {
  const placed = placeExample(example);
  if (!placed) return undefined;
  const own = new Set(placed.map((f) => f.path));
  const stack = placed[0].path.startsWith('files/') ? stackFiles(root).filter((f) => !own.has(f.path)) : [];
  // The doctor's own config is looked up from the working folder, not the scanned one.
  const config = placed.find((f) => f.path.endsWith('.claude-otel-doctor.json'));
  return { files: [...stack, ...placed], args: config ? ['--config', `{{dir}}/${config.path}`] : [] };
}

interface AreaTemplate {
  stage: Stage;
  /** Where the rule finds what it judges, for the TODO in `check`. */
  model: string;
  file: string;
  /** The example's text, with a TODO in it (a comment, or a string field in JSON). */
  text(todo: string, root: string): string;
}

const stackFile = (root: string, name: string) => readFileSync(join(root, EXAMPLE_STACK, name), 'utf8');

/** Per area: the stage, the model and an example file to start from (a working one: the author breaks it). */
const AREA_TEMPLATES: Record<Exclude<(typeof AREAS)[number], 'doctor'>, AreaTemplate> = {
  settings: {
    stage: 'Claude Code settings',
    model: 'ws.claude (every settings file and the effective environment, with origins)',
    file: '~/.claude/settings.json',
    text: (todo) => `{\n  "model": "${todo}",\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1"\n  }\n}\n`,
  },
  collector: {
    stage: 'Collector',
    model: 'ws.stack.collectors (each collector config: components, pipelines, listeners)',
    file: 'otel-collector-config.yml',
    text: (todo, root) => `# ${todo}\n${stackFile(root, 'otel-collector-config.yml')}`,
  },
  compose: {
    stage: 'Collector',
    model: 'ws.stack.composes (services, images, ports, mounts)',
    file: 'docker-compose.yml',
    text: (todo, root) => `# ${todo}\n${stackFile(root, 'docker-compose.yml')}`,
  },
  kubernetes: {
    stage: 'Collector',
    model: 'ws.stack.kubernetes (objects, workloads and containers, Services, Ingresses, monitors, ConfigMaps, Secret keys)',
    file: 'k8s/collector.yaml',
    text: (todo) => `# ${todo}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\ndata:\n  config.yaml: |\n    receivers: {}\n`,
  },
  prometheus: {
    stage: 'Prometheus',
    model: 'ws.stack.prometheus (jobs, targets, intervals)',
    file: 'prometheus.yml',
    text: (todo, root) => `# ${todo}\n${stackFile(root, 'prometheus.yml')}`,
  },
  loki: {
    stage: 'Loki',
    model: 'ws.stack.loki (schema periods, structured metadata) and ws.stack.lokiVersion',
    file: 'loki-config.yaml',
    text: (todo) => `# ${todo}\nauth_enabled: false\nserver:\n  http_listen_port: 3100\n`,
  },
  grafana: {
    stage: 'Grafana',
    model: 'ws.stack.grafana (provisioned datasources, dashboard providers)',
    file: 'grafana-datasources.yml',
    text: (todo, root) => `# ${todo}\n${stackFile(root, 'grafana-datasources.yml')}`,
  },
  dashboard: {
    stage: 'Grafana',
    model: "ws.stack.grafana (dashboards and their queries, with Grafana's datasource resolution)",
    file: 'dashboards/claude-code.json',
    text: (todo) => `{\n  "uid": "claude-code",\n  "title": "${todo}",\n  "panels": []\n}\n`,
  },
};

/** A TypeScript single-quoted string literal. */
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/** The rule file's text: the shape of src/rules/collector/exporter-tls.ts, with TODOs where the rule's words go. */
export function ruleTemplate(id: string, root: string = packageRoot): string {
  const [area, name] = id.split('/') as [keyof typeof AREA_TEMPLATES, string];
  const t = AREA_TEMPLATES[area];
  const findingType = `${name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase())}Finding`;
  const example = (todo: string) => `{\n    file: ${quote(t.file)},\n    text: ${quote(t.text(todo, root))},\n  }`;
  return `import { defineRule, type RuleFinding } from '../define.js';

const messages = {
  // TODO: one message per kind of finding; {{name}} placeholders are filled from the finding's data.
  found: 'TODO: what is wrong with {{subject}}, and what the user sees because of it',
} as const;
type ${findingType} = RuleFinding<typeof messages>;

export default defineRule({
  id: ${quote(id)},
  severity: 'warning',
  title: 'TODO: what it finds, in a few words',
  checks: 'TODO: what the rule checks, in a sentence or two.',
  why: 'TODO: why it matters: the symptom the user sees.',
  fix: 'none',
  versions: 'TODO: the versions it applies to',
  bad: ${example('TODO: the smallest file the rule reports')},
  good: ${example('TODO: the same file, corrected')},
  messages,
  references: ['TODO: where the behaviour is documented or was observed'],
  oracle: 'fixtures',
  stage: ${quote(t.stage)},
  check(ws) {
    const findings: ${findingType}[] = [];
    // TODO: read ${t.model}
    // and push a finding where the rule applies, located at the value it is about:
    //   findings.push({ ...location, kind: 'found', data: { subject }, hint: 'what to change' });
    return findings;
  },
});
`;
}

const ID = /^([a-z]+)\/([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** The area and name of a new rule's id; throws with the reason when it cannot be one. */
export function parseRuleId(id: string): { area: keyof typeof AREA_TEMPLATES; name: string } {
  const m = ID.exec(id);
  if (!m) throw new Error(`"${id}" is not <area>/<name> with a kebab-case name (e.g. collector/exporter-tls)`);
  const area = m[1];
  if (area === 'doctor') throw new Error("doctor/ rules are the engine's own findings (metadata only): write one by hand");
  if (!(area in AREA_TEMPLATES)) throw new Error(`"${area}" is not an area: one of ${AREAS.filter((a) => a !== 'doctor').join(', ')}`);
  return { area: area as keyof typeof AREA_TEMPLATES, name: m[2] };
}

function write(root: string, rel: string, text: string, written: string[]): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  written.push(rel);
}

/** Writes a fixture's example files (and its case.json when it has none); returns what it wrote. */
function writeFixture(root: string, folder: string, example: RuleExample, description: string, written: string[]): void {
  const c = exampleCase(example, root);
  if (!c) throw new Error(`the example "${example.file}" is not files: write ${folder} by hand`);
  for (const f of c.files) write(root, `${folder}/${f.path}`, f.text, written);
  if (!existsSync(join(root, folder, 'case.json'))) {
    write(root, `${folder}/case.json`, `${JSON.stringify({ description, ...(c.args.length ? { args: c.args } : {}) }, null, 2)}\n`, written);
  }
}

const fixtureFolders = (id: string) => {
  const slug = id.replace('/', '-');
  return { fail: `fixtures/${slug}-fail`, pass: `fixtures/${slug}-pass` };
};

/** Writes the rule file and its two fixtures under `root`; refuses to overwrite. Returns the paths it wrote. */
export function scaffoldRule(id: string, root: string = packageRoot): string[] {
  const { area, name } = parseRuleId(id);
  const ruleFile = `src/rules/${area}/${name}.ts`;
  const { fail, pass } = fixtureFolders(id);
  for (const rel of [ruleFile, fail, pass]) if (existsSync(join(root, rel))) throw new Error(`${rel} exists already`);
  const written: string[] = [];
  write(root, ruleFile, ruleTemplate(id, root), written);
  const t = AREA_TEMPLATES[area];
  const example = (todo: string): RuleExample => ({ file: t.file, text: t.text(todo, root) });
  writeFixture(root, fail, example('TODO: the smallest file the rule reports'), `TODO: what is wrong here, so ${id} fires`, written);
  writeFixture(root, pass, example('TODO: the same file, corrected'), `TODO: the same setup, corrected: ${id} stays silent`, written);
  return written;
}

/** Rewrites the two fixtures' example files from the rule's examples as written now (other files stay). */
export async function rebuildFixtures(id: string, root: string = packageRoot): Promise<string[]> {
  const { area, name } = parseRuleId(id);
  const rule = (await import(pathToFileURL(join(root, `src/rules/${area}/${name}.ts`)).href)).default as AnyRule;
  const { fail, pass } = fixtureFolders(id);
  const written: string[] = [];
  for (const [folder, example] of [
    [fail, rule.bad],
    [pass, rule.good],
  ] as const) {
    for (const sub of ['files', 'home', 'project', 'managed', 'shell.env']) rmSync(join(root, folder, sub), { recursive: true, force: true });
    writeFixture(root, folder, example, '', written);
  }
  return written;
}

async function main(args: string[]): Promise<number> {
  const id = args.find((a) => !a.startsWith('-'));
  if (!id || args.some((a) => a.startsWith('-') && a !== '--fixtures')) {
    console.error('usage: npm run new-rule -- <area>/<name> [--fixtures]');
    return 2;
  }
  const { fail, pass } = fixtureFolders(id);
  const golden = `UPDATE_GOLDEN=1 npx vitest run test/golden/fixtures.test.ts -t '${fail.slice('fixtures/'.length)}|${pass.slice('fixtures/'.length)}'`;
  if (args.includes('--fixtures')) {
    for (const rel of await rebuildFixtures(id)) console.log(`wrote ${rel}`);
    console.log(`\nNext: ${golden}, and check the expected.txt files it writes.`);
    return 0;
  }
  const written = scaffoldRule(id);
  for (const rel of written) console.log(`wrote ${rel}`);
  writeRegistry();
  // Formatted as the test command checks it (biome ci), so a new rule starts green there.
  spawnSync('npx', ['biome', 'format', '--write', `src/rules/${id}.ts`, 'src/rules/index.ts'], { cwd: packageRoot, stdio: 'ignore' });
  // The docs import the registry, so they are written by a fresh process that sees the new rule.
  const docs = spawnSync('npx', ['tsx', 'scripts/gen-docs.ts'], { cwd: packageRoot, stdio: 'inherit' });
  if (docs.status !== 0) return 1;
  console.log(`wrote src/rules/index.ts and docs/rules/${id}.md

Next:
  1. In src/rules/${id}.ts: the messages, title, checks, why, versions, references, and check().
  2. The bad and good examples: the smallest file the rule reports, and the same file corrected. Then
     npm run new-rule -- ${id} --fixtures   (rebuilds ${fail} and ${pass} from them; or edit those by hand)
  3. ${golden}
  4. npm run docs, then: npx vitest run test/unit/rule-examples.test.ts test/unit/docs.test.ts test/golden`);
  return 0;
}

if (process.argv[1]?.endsWith('new-rule.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`new-rule: ${err.message}`);
      process.exit(1);
    },
  );
}
