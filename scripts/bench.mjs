#!/usr/bin/env node
// Benchmark: speed and memory of the bundled CLI as users run it (the package's bin, `node dist/cli.cjs …`), each
// measurement in a fresh child process, on generated config repos of about 10, 100 and 1000 files. Prints figures; it never
// judges them: the exit code is non-zero only when a command fails (exit code 2, another unexpected code, or a
// crash), never because of a time.
//
//   node scripts/bench.mjs                 # every measurement, 5 runs each
//   node scripts/bench.mjs --quick         # one run each, the 10- and 100-file corpora only (a smoke test)
//   node scripts/bench.mjs --json out.json # the same figures as JSON too
//   options: --runs <n>, --seed <n>, --keep (leave the generated corpora in place), --rss-via time|wrapper
//
// Peak RSS and CPU time (user + system, all threads): GNU time (`/usr/bin/time -f '%M %U %S'`, the child's rusage)
// when it is there and works; otherwise a tiny
// node wrapper that imports the bin (which then runs exactly as the bin does) and writes
// process.resourceUsage()'s maxRSS and CPU times to a side file when the process exits. The output says which was
// used.
// Wall time is taken in this process around the whole child (process start to exit). Beside each timed run, a
// `node -e 0` is timed too: the "× node -e 0" column divides a measurement's median by theirs, a figure that holds
// across machines and under load where the milliseconds do not (the targets of issue #15 are such ratios).
//
// Corpora are generated from the shipped fixtures (fixtures/*/files/): stacks are whole fixture folders
// (compose, collector, prometheus.yml, Grafana provisioning, dashboards), team workspaces are
// `<team>/.claude/settings.json` files built from the fixtures' settings files with seeded problems (a comment,
// a missing exporter or protocol, a bad endpoint). Same seed and fixtures, same bytes.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, homedir, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits, modify } from 'jsonc-parser';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// What `npx claude-otel-doctor` and an installed `claude-otel-doctor` run.
const cli = join(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin['claude-otel-doctor']);
const fixturesDir = join(root, 'fixtures');

// ---------------------------------------------------------------------------------------------------- options
function parseArgs(argv) {
  const o = { quick: false, json: undefined, runs: undefined, seed: 20240601, keep: false, rssVia: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = value();
    else if (a === '--runs') o.runs = positiveInt(a, value());
    else if (a === '--seed') o.seed = positiveInt(a, value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--rss-via') {
      o.rssVia = value();
      if (!['time', 'wrapper'].includes(o.rssVia)) usage('--rss-via is time or wrapper');
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/bench.mjs [--quick] [--json <file>] [--runs <n>] [--seed <n>] [--keep] [--rss-via time|wrapper]\n');
      process.exit(0);
    } else usage(`unknown argument ${a}`);
  }
  return o;
}
function positiveInt(flag, s) {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} takes a positive integer`);
  return n;
}
function usage(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------- build
function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}
function ensureBuilt() {
  const inputs = [join(root, 'src'), join(root, 'package.json'), join(root, 'scripts', 'build.mjs')];
  const stale = !existsSync(cli) || statSync(cli).mtimeMs < Math.max(...inputs.map(newestMtime));
  if (!stale) return false;
  process.stderr.write(`bench: ${relative(root, cli)} is missing or older than src/; building (node scripts/build.mjs)\n`);
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('bench: the build failed\n');
    process.exit(1);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------- corpora
/** mulberry32: a small seeded PRNG, so the corpora are the same bytes on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rand, list) => list[Math.floor(rand() * list.length)];

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const isCompose = (p) => /^(docker-)?compose\.ya?ml$/.test(basename(p));
const isSettings = (p) => /(^|[-.])settings\.json|^settings\.json/.test(basename(p)) || basename(p) === 'claude-settings.json';

/** What the fixtures offer: whole stacks (folders with a compose file), settings files and dashboards. */
function material() {
  const units = readdirSync(fixturesDir)
    .sort()
    .filter((name) => existsSync(join(fixturesDir, name, 'files')))
    .map((name) => {
      const dir = join(fixturesDir, name, 'files');
      return { name, dir, files: walk(dir).map((p) => relative(dir, p)) };
    });
  const stacks = units.filter((u) => u.files.some(isCompose));
  const settings = [];
  const dashboards = [];
  for (const u of units) {
    for (const f of u.files) {
      const text = readFileSync(join(u.dir, f), 'utf8');
      if (isSettings(f)) settings.push({ from: `${u.name}/${f}`, text });
      else if (f.endsWith('.json') && text.includes('"panels"')) dashboards.push({ from: `${u.name}/${f}`, name: basename(f), text });
    }
  }
  if (!stacks.length || !settings.length || !dashboards.length)
    throw new Error('fixtures/*/files/ hold no stacks, settings or dashboards to build corpora from');
  return { stacks, settings, dashboards };
}

const fmt = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
function setEnv(text, key, value) {
  try {
    return applyEdits(text, modify(text, ['env', key], value, fmt));
  } catch {
    return text; // not an object at the top: leave it as it is
  }
}

/**
 * A team's `.claude/settings.json`: a fixture's settings file, with the team's attributes and, often, a problem.
 * `forced` (0..1) picks the problem instead of the dice: the first teams of every corpus get one each.
 */
function teamSettings(rand, mat, team, forced) {
  const base = pick(rand, mat.settings);
  let text = setEnv(base.text, 'OTEL_RESOURCE_ATTRIBUTES', `team.id=${team},department=engineering`);
  const dice = rand();
  const r = forced ?? dice;
  let problem = 'none';
  if (r < 0.15) {
    problem = 'comment';
    text = text.replace('{', `{\n  // owned by ${team}, ask #platform before changing`);
  } else if (r < 0.3) {
    problem = 'missing metrics exporter';
    text = setEnv(text, 'OTEL_METRICS_EXPORTER', undefined);
  } else if (r < 0.45) {
    problem = 'bad endpoint';
    if (rand() < 0.5) {
      // the generic endpoint with the signal path: over OTLP/HTTP the path doubles
      text = setEnv(text, 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf');
      text = setEnv(text, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'https://otel.example.internal:4318/v1/metrics');
    } else text = setEnv(text, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'otel-collector.internal:4318'); // no scheme
  } else if (r < 0.55) {
    problem = 'missing protocol';
    text = setEnv(text, 'OTEL_EXPORTER_OTLP_PROTOCOL', undefined);
  }
  return { text, problem, from: base.from };
}

/** Copies one fixture's stack, a comment naming its copy in each YAML file; adds a dashboard when it has none. */
function copyStack(rand, mat, unit, dest, label) {
  let n = 0;
  for (const f of unit.files) {
    let text = readFileSync(join(unit.dir, f), 'utf8');
    if (/\.ya?ml$/.test(f) && !/^(\uFEFF|%)/.test(text)) text = `# ${label} (from fixtures/${unit.name})\n${text}`;
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    writeFileSync(join(dest, f), text);
    n++;
  }
  if (!unit.files.some((f) => f.endsWith('.json') && readFileSync(join(unit.dir, f), 'utf8').includes('"panels"'))) {
    const d = pick(rand, mat.dashboards);
    mkdirSync(join(dest, 'dashboards'), { recursive: true });
    writeFileSync(
      join(dest, 'dashboards', d.name),
      d.text.replace(/"title"\s*:\s*"([^"]*)"/, (_m, t) => `"title": "${t} (${label})"`),
    );
    n++;
  }
  return n;
}

/**
 * A shared config repo of exactly `target` files: a doctor config at the top, about 70 % in stacks, the rest team
 * workspaces. The config pins Claude Code 2.1.197 (the release the test suite runs), as a team repo would: under
 * releases from 2.1.270 Claude Code ignores telemetry variables in project settings, and the doctor would report
 * only that for every team instead of checking what the team settings say.
 */
function generateCorpus(mat, dir, target, seed) {
  const rand = prng(seed);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.claude-otel-doctor.json'), `${JSON.stringify({ versions: { claudeCode: '2.1.197' } }, null, 2)}\n`);
  const stackBudget = Math.round(target * 0.7);
  let stackFiles = 0;
  let stacks = 0;
  for (let tries = 0; tries < 10 * target && stackFiles < stackBudget; tries++) {
    const unit = pick(rand, mat.stacks);
    const size = unit.files.length + 1; // at most one dashboard added
    if (stackFiles + size > stackBudget && stacks > 0) continue;
    const label = `stack-${String(stacks + 1).padStart(3, '0')}`;
    stackFiles += copyStack(rand, mat, unit, join(dir, 'stacks', `${label}-${unit.name}`), label);
    stacks++;
    if (stackFiles + 3 > stackBudget) break;
  }
  const teams = target - 1 - stackFiles;
  const problems = {};
  for (let i = 1; i <= teams; i++) {
    const team = `team-${String(i).padStart(4, '0')}`;
    // team-0001: a missing metrics exporter (the file `check: 1 settings file` reads), team-0002: a comment.
    const s = teamSettings(rand, mat, team, i === 1 ? 0.2 : i === 2 ? 0 : undefined);
    problems[s.problem] = (problems[s.problem] ?? 0) + 1;
    mkdirSync(join(dir, 'teams', team, '.claude'), { recursive: true });
    writeFileSync(join(dir, 'teams', team, '.claude', 'settings.json'), s.text);
  }
  const files = walk(dir);
  return { dir, files: files.length, bytes: files.reduce((sum, f) => sum + statSync(f).size, 0), stacks, teams, teamProblems: problems };
}

/** A home as the doctor reads it on a machine: user settings and the local stack in ~/.claude/telemetry. */
function makeHome(base, mat) {
  const home = join(base, 'home');
  const stack = mat.stacks.find((u) => u.name === 'seed-template-dashboards') ?? mat.stacks[0];
  const settings = mat.settings.find((s) => s.from.startsWith('healthy-compose-stack/')) ?? mat.settings[0];
  mkdirSync(join(home, '.claude'), { recursive: true });
  writeFileSync(join(home, '.claude', 'settings.json'), settings.text);
  for (const f of stack.files.filter((f) => !isSettings(f))) {
    mkdirSync(dirname(join(home, '.claude', 'telemetry', f)), { recursive: true });
    cpSync(join(stack.dir, f), join(home, '.claude', 'telemetry', f));
  }
  const project = join(base, 'project');
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(join(project, '.claude', 'settings.json'), '{\n  "env": {\n    "OTEL_RESOURCE_ATTRIBUTES": "team.id=bench"\n  }\n}\n');
  mkdirSync(join(base, 'managed'), { recursive: true });
  return { home, project, managed: join(base, 'managed') };
}

/** A home whose endpoints point at local ports where nothing listens (the probes meet refused connections). */
async function makeClosedPortHome(base) {
  const ports = [];
  for (let i = 0; i < 4; i++) ports.push(await closedPort());
  const home = join(base, 'home');
  mkdirSync(join(home, '.claude'), { recursive: true });
  const env = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports[0]}`,
  };
  writeFileSync(join(home, '.claude', 'settings.json'), `${JSON.stringify({ env }, null, 2)}\n`);
  mkdirSync(join(base, 'project'), { recursive: true });
  mkdirSync(join(base, 'managed'), { recursive: true });
  return { home, project: join(base, 'project'), managed: join(base, 'managed'), urls: ports.slice(1).map((p) => `http://127.0.0.1:${p}`) };
}
function closedPort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------- running
function timeWorks() {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/time')) return false;
  const side = join(tmpdir(), `cod-bench-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', side, process.execPath, '-e', '0'], { encoding: 'utf8' });
  const ok = r.status === 0 && existsSync(side) && Number(readFileSync(side, 'utf8').trim().split('\n').pop()) > 0;
  rmSync(side, { force: true });
  return ok;
}

const WRAPPER = `// Runs the bin as node does (its own entry check sees argv[1]) and records the peak RSS at exit.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [side, cli] = process.argv.splice(2, 2);
process.argv[1] = cli;
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(side, \`\${u.maxRSS} \${u.userCPUTime / 1e6} \${u.systemCPUTime / 1e6}\`);
});
await import(pathToFileURL(cli).href);
`;

function makeRunner(rssVia, work) {
  const side = join(work, 'rss.txt');
  const wrapper = join(work, 'rss-wrapper.mjs');
  if (rssVia === 'wrapper') writeFileSync(wrapper, WRAPPER);
  return (args, { env, cwd }) => {
    rmSync(side, { force: true });
    const [cmd, argv] =
      rssVia === 'time' ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', side, process.execPath, cli, ...args]] : [process.execPath, [wrapper, side, cli, ...args]];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    let rssKiB = NaN;
    let cpuMs = NaN;
    if (existsSync(side)) {
      // `<maxrss KiB> <user s> <system s>`, the last line (GNU time puts a note on the exit status before it)
      const [rss, user, system] = readFileSync(side, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      rssKiB = rss;
      cpuMs = (user + system) * 1000;
    }
    return { ms, rssKiB, cpuMs, status: r.status, signal: r.signal, error: r.error, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

function childEnv(home) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(OTEL_|CLAUDE_|FORCE_COLOR$|GRAFANA_TOKEN$)/.test(k)) env[k] = v;
  return { ...env, HOME: home, NO_COLOR: '1', XDG_STATE_HOME: join(home, '.local', 'state') };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function machine() {
  const c = cpus();
  const git = (args) => {
    const r = spawnSync('git', ['--no-optional-locks', ...args], { cwd: root, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const commit = git(['rev-parse', 'HEAD']);
  const changes = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    commit: commit ?? 'unknown',
    dirty: changes === undefined ? undefined : changes.length > 0,
  };
}

// ---------------------------------------------------------------------------------------------------- main
const opts = parseArgs(process.argv.slice(2));
const built = ensureBuilt();
const rssVia = opts.rssVia ?? (timeWorks() ? 'time' : 'wrapper');
if (rssVia === 'time' && !timeWorks()) usage('--rss-via time: /usr/bin/time -f %M does not work here');
const runs = opts.quick ? 1 : (opts.runs ?? 5);
const work = mkdtempSync(join(tmpdir(), 'cod-bench-'));
const cleanup = () => {
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const mat = material();
const sizes = opts.quick ? [10, 100] : [10, 100, 1000];
const corpora = sizes.map((n, i) => ({ name: `${n} files`, target: n, ...generateCorpus(mat, join(work, `corpus-${n}`), n, opts.seed + i) }));
const byTarget = (n) => corpora.find((c) => c.target === n);
const small = byTarget(10);
const medium = byTarget(100);
const machineHome = makeHome(join(work, 'machine'), mat);
const probeHome = await makeClosedPortHome(join(work, 'probe'));
const cwd = join(work, 'cwd');
mkdirSync(cwd, { recursive: true });
const env = childEnv(join(work, 'machine', 'home'));
const run = makeRunner(rssVia, work);

const failures = [];
const ok = (r, codes) => !r.error && r.signal === null && codes.includes(r.status);
function describeFailure(name, r) {
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
  return `${name}: ${why}${r.stderr.trim() ? `\n  ${r.stderr.trim().split('\n').slice(-5).join('\n  ')}` : ''}`;
}

// Findings per corpus (one untimed JSON run, which also warms the file cache): real work happened.
for (const c of corpora) {
  const r = run(['check', '.', '--format', 'json'], { env, cwd: c.dir });
  if (!ok(r, [0, 1])) {
    failures.push(describeFailure(`findings of the ${c.name} corpus`, r));
    c.findings = { total: 0, error: 0, warning: 0, info: 0, workspacesWithFindings: 0, rules: 0, byRule: {} };
    continue;
  }
  const report = JSON.parse(r.stdout);
  const byRule = {};
  for (const f of report.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  c.findings = {
    total: report.findings.length,
    ...report.summary,
    workspacesWithFindings: new Set(report.findings.map((f) => f.workspace)).size,
    rules: Object.keys(byRule).length,
    byRule,
  };
}

// Corpus commands run from the corpus root, as CI runs them (`check .`; the doctor config there is found).
const oneSettings = 'teams/team-0001/.claude/settings.json';
const machineArgs = ['--home', machineHome.home, '--project', machineHome.project, '--managed-dir', machineHome.managed, '--no-shell-env'];
const show = (args) => args.map((a) => (a.startsWith(work) ? `<tmp>${a.slice(work.length)}` : a)).join(' ');
const inCorpus = (c) => ({ cwd: c.dir, where: `<${c.name} corpus>` });

const plan = [
  { name: 'startup (--version)', args: ['--version'] },
  { name: 'rules', args: ['rules'] },
  { name: 'check: 1 settings file', args: ['check', oneSettings], ...inCorpus(small), files: 1, codes: [0, 1] },
  ...corpora.map((c) => ({ name: `check: ${c.name}`, args: ['check', '.'], ...inCorpus(c), files: c.files, codes: [0, 1] })),
  { name: `check --format json: ${medium.name}`, args: ['check', '.', '--format', 'json'], ...inCorpus(medium), files: medium.files, codes: [0, 1] },
  { name: `check --format sarif: ${medium.name}`, args: ['check', '.', '--format', 'sarif'], ...inCorpus(medium), files: medium.files, codes: [0, 1] },
  { name: `check --dry-run: ${medium.name}`, args: ['check', '.', '--dry-run'], ...inCorpus(medium), files: medium.files, codes: [0, 1] },
  { name: 'doctor --offline (throwaway home)', args: [...machineArgs, '--offline'], codes: [0, 1] },
  {
    name: 'probe (closed ports, --timeout 1)',
    args: [
      'probe',
      '--home',
      probeHome.home,
      '--project',
      probeHome.project,
      '--managed-dir',
      probeHome.managed,
      '--no-shell-env',
      '--timeout',
      '1',
      '--prometheus-url',
      probeHome.urls[0],
      '--loki-url',
      probeHome.urls[1],
      '--grafana-url',
      probeHome.urls[2],
    ],
    codes: [0, 1],
  },
];

const measurements = [];
for (const m of plan) {
  const n = m.runs ?? runs;
  const codes = m.codes ?? [0];
  const where = { env, cwd: m.cwd ?? cwd };
  if (!opts.quick && !(m.files >= 1000)) run(m.args, where); // warm-up, not counted (the findings run warmed the big one)
  const samples = [];
  const noop = []; // node -e 0 beside each sample: the ratio holds under whatever load the machine has at that moment
  let failed;
  for (let i = 0; i < n; i++) {
    noop.push(timeOnce(process.execPath, ['-e', '0'], where).ms);
    const r = run(m.args, where);
    if (!ok(r, codes)) {
      failed = r;
      break;
    }
    samples.push(r);
  }
  if (failed) {
    failures.push(describeFailure(m.name, failed));
    process.stderr.write(`bench: FAILED ${m.name}\n`);
    continue;
  }
  const ms = samples.map((s) => s.ms);
  const rss = samples.map((s) => s.rssKiB).filter((x) => Number.isFinite(x));
  const cpu = samples.map((s) => s.cpuMs).filter((x) => Number.isFinite(x));
  const med = median(ms);
  measurements.push({
    name: m.name,
    command: `claude-otel-doctor ${show(m.args)}`,
    cwd: m.where ?? '<tmp>/cwd',
    runs: n,
    exitCode: samples[0].status,
    medianMs: round(med),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    peakRssMiB: rss.length ? round(Math.max(...rss) / 1024) : null,
    medianCpuMs: cpu.length ? round(median(cpu)) : null,
    files: m.files ?? null,
    filesPerSec: m.files ? round(m.files / (med / 1000), 1) : null,
    nodeNoopMedianMs: round(median(noop)),
    ratioToNode: round(med / median(noop), 2),
  });
  process.stderr.write(`bench: ${m.name}: median ${round(med)} ms\n`);
}

// ---------------------------------------------------------------------------------------------------- anchors
// The same machine and run, other programs on the same files: how long a process that does nothing takes (node -e 0),
// and what the real collector and promtool take to validate the two configs of the stack `init` writes, against the
// doctor's --version and its check of that stack. Ratios, not absolute times, are what the targets name (issue #15).
/** One run of a command, timed around the whole child process. */
function timeOnce(cmd, argv, where) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { ...where, encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: r.status, stderr: r.stderr ?? '' };
}

/**
 * The anchors, run in rounds (each command once per round), so that all of them meet the same load: a ratio of
 * two medians taken minutes apart on a shared machine says more about the load than about the tool. A first round
 * is not counted (unless --quick), as the measurements' warm-up is not: it also writes the doctor's compile cache
 * (src/entry.ts), which every later run of that command uses; `check . (no compile cache)` is what a first run pays.
 */
function interleaved(commands) {
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const failed = {};
  for (let round = opts.quick ? 1 : 0; round <= runs; round++) {
    for (const [name, c] of Object.entries(commands)) {
      if (c.failed || failed[name]) continue;
      const r = timeOnce(c.cmd, c.argv, c.where);
      if (r.status !== 0 && r.status !== 1) failed[name] = `${c.cmd} ${c.argv.join(' ')}: exit ${r.status} ${r.stderr}`.trim();
      else if (round > 0) samples[name].push(r.ms);
    }
  }
  return Object.fromEntries(
    Object.entries(commands).map(([name, c]) => [
      name,
      c.failed || failed[name] ? { failed: c.failed ?? failed[name] } : { medianMs: round(median(samples[name])), minMs: round(Math.min(...samples[name])) },
    ]),
  );
}
const versionsFile = JSON.parse(readFileSync(join(root, 'test', 'oracles', 'versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const otelcol = join(cacheRoot, `otelcol-${versionsFile.collector.current}`, 'otelcol-cod');
const promtool = (process.env.PATH ?? '')
  .split(':')
  .map((d) => join(d, 'promtool'))
  .find((f) => existsSync(f));
const initHome = join(work, 'init-home');
const initDir = join(work, 'init-stack');
mkdirSync(initHome, { recursive: true });
spawnSync(process.execPath, [cli, 'init', '--no-start', '--dir', initDir, '--home', initHome], { env: childEnv(initHome), encoding: 'utf8' });
const anchorWhere = { env: childEnv(initHome), cwd: initDir };
const noCache = { ...anchorWhere, env: { ...anchorWhere.env, NODE_DISABLE_COMPILE_CACHE: '1' } };
const anchors = interleaved({
  nodeNoop: { cmd: process.execPath, argv: ['-e', '0'], where: anchorWhere },
  version: { cmd: process.execPath, argv: [cli, '--version'], where: anchorWhere },
  checkInitStack: { cmd: process.execPath, argv: [cli, 'check', '.'], where: anchorWhere },
  checkInitStackNoCache: { cmd: process.execPath, argv: [cli, 'check', '.'], where: noCache },
  otelcolValidate: existsSync(otelcol)
    ? { cmd: otelcol, argv: ['validate', `--config=${join(initDir, 'otel-collector-config.yaml')}`], where: anchorWhere }
    : { failed: `no ${otelcol} (npm run provision)` },
  promtoolCheck: promtool
    ? { cmd: promtool, argv: ['check', 'config', '--syntax-only', join(initDir, 'prometheus.yml')], where: anchorWhere }
    : { failed: 'no promtool on PATH' },
});
for (const [name, a] of Object.entries(anchors)) if (a.failed) failures.push(`anchor ${name}: ${a.failed}`);
const ratio = (a, b) => (a?.medianMs && b?.medianMs ? round(a.medianMs / b.medianMs, 2) : null);
const peers =
  anchors.otelcolValidate.medianMs && anchors.promtoolCheck.medianMs
    ? { medianMs: anchors.otelcolValidate.medianMs + anchors.promtoolCheck.medianMs }
    : undefined;
const ratios = {
  versionToNode: ratio(anchors.version, anchors.nodeNoop),
  checkInitStackToNode: ratio(anchors.checkInitStack, anchors.nodeNoop),
  // The fastest runs of each, which a busy host slows least: what the code costs, apart from the noise.
  checkInitStackToNodeBest: anchors.checkInitStack.minMs && anchors.nodeNoop.minMs ? round(anchors.checkInitStack.minMs / anchors.nodeNoop.minMs, 2) : null,
  checkInitStackToPeers: ratio(anchors.checkInitStack, peers),
  checkInitStackNoCacheToNode: ratio(anchors.checkInitStackNoCache, anchors.nodeNoop),
};
const thousand = measurements.find((m) => m.files >= 1000);

const result = {
  version: 1,
  date: new Date().toISOString(),
  quick: opts.quick,
  runs,
  seed: opts.seed,
  rssMethod: rssVia === 'time' ? "/usr/bin/time -f '%M %U %S' (the child's rusage)" : 'process.resourceUsage() in a node wrapper that imports the bin',
  builtBeforeRun: built,
  machine: machine(),
  corpora: corpora.map((c) => ({
    name: c.name,
    files: c.files,
    bytes: c.bytes,
    stacks: c.stacks,
    teams: c.teams,
    teamProblems: c.teamProblems,
    findings: c.findings,
  })),
  measurements,
  anchors,
  ratios,
  failures,
};

// ---------------------------------------------------------------------------------------------------- output
function table(headers, rows, rightAligned) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => (rightAligned[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}
const ms = (x) => (x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`);
const mc = result.machine;
let out = `claude-otel-doctor benchmark, ${result.date.slice(0, 10)}\n`;
out += `machine: node ${mc.node}, ${mc.platform}, ${mc.cpu}, ${mc.cores} cores, ${mc.memoryMiB} MiB\n`;
out += `commit: ${mc.commit}${mc.dirty ? ' (with uncommitted changes)' : ''}\n`;
out += `runs: ${runs} per measurement${opts.quick ? ' (--quick)' : ''}, each a fresh process; CPU (median, user + system of all threads) and peak RSS via ${result.rssMethod}\n\n`;
out += table(
  ['corpus', 'files', 'KiB', 'stacks', 'teams', 'findings', 'error', 'warning', 'info', 'rules hit'],
  result.corpora.map((c) => [
    c.name,
    c.files,
    Math.round(c.bytes / 1024),
    c.stacks,
    c.teams,
    c.findings.total,
    c.findings.error,
    c.findings.warning,
    c.findings.info,
    c.findings.rules,
  ]),
  [false, true, true, true, true, true, true, true, true, true],
);
out += '\n';
out += table(
  ['measurement', 'runs', 'median', 'min', 'max', '× node -e 0', 'CPU', 'peak RSS MiB', 'files/s'],
  measurements.map((m) => [
    m.name,
    m.runs,
    ms(m.medianMs),
    ms(m.minMs),
    ms(m.maxMs),
    m.ratioToNode ?? 'n/a',
    m.medianCpuMs === null ? '?' : ms(m.medianCpuMs),
    m.peakRssMiB ?? '?',
    m.filesPerSec ?? '',
  ]),
  [false, true, true, true, true, true, true, true, true],
);
out += '\n';
const am = (a) => (a.medianMs !== undefined ? ms(a.medianMs) : 'n/a');
const best = (a) => (a.minMs !== undefined ? ms(a.minMs) : 'n/a');
out += table(
  ["anchor (same run, init's stack)", 'median', 'best'],
  [
    ['node -e 0', am(anchors.nodeNoop), best(anchors.nodeNoop)],
    ['claude-otel-doctor --version', am(anchors.version), best(anchors.version)],
    ["claude-otel-doctor check . (init's stack)", am(anchors.checkInitStack), best(anchors.checkInitStack)],
    ["claude-otel-doctor check . (init's stack), no compile cache", am(anchors.checkInitStackNoCache), best(anchors.checkInitStackNoCache)],
    [`otelcol ${versionsFile.collector.current} validate (its collector config)`, am(anchors.otelcolValidate), best(anchors.otelcolValidate)],
    ['promtool check config --syntax-only (its prometheus.yml)', am(anchors.promtoolCheck), best(anchors.promtoolCheck)],
  ],
  [false, true, true],
);
out += `ratios: --version / node -e 0 = ${ratios.versionToNode ?? 'n/a'} (target 1.3); check / node -e 0 = ${ratios.checkInitStackToNode ?? 'n/a'} (target 2.0; best runs ${ratios.checkInitStackToNodeBest ?? 'n/a'}); check / (otelcol validate + promtool) = ${ratios.checkInitStackToPeers ?? 'n/a'}; check without the compile cache / node -e 0 = ${ratios.checkInitStackNoCacheToNode ?? 'n/a'}\n`;
if (thousand)
  out += `check of 1000 files: median ${ms(thousand.medianMs)} wall (target 1500 ms), ${thousand.medianCpuMs === null ? '?' : ms(thousand.medianCpuMs)} CPU, peak RSS ${thousand.peakRssMiB ?? '?'} MiB\n`;
process.stdout.write(out);
if (opts.json) writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
if (opts.keep) process.stderr.write(`bench: corpora kept in ${work}\n`);
if (failures.length) {
  process.stderr.write(`\nbench: ${failures.length} command(s) failed:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
  process.exitCode = 1;
}
