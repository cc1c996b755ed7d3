// `claude-otel-doctor init` (Mode 1): the local stack and the user settings, on a throwaway machine.
import { chmodSync, cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_METRICS } from '../../src/model/naming.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { newMachine, STACK_FILES, treeHash, writeFile, type Machine } from './machine.js';
import { withStartLock } from '../oracles/differential-support.js';

let m: Machine;
beforeEach(() => {
  m = newMachine();
});
afterEach(() => m.cleanup());

const read = (p: string) => readFileSync(p, 'utf8');
const mode = (p: string) => statSync(p).mode & 0o777;
const password = () => /^GF_SECURITY_ADMIN_PASSWORD=(.+)$/m.exec(read(join(m.stack, '.env')))![1];
const LOCAL_ENV = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
};

/** One line on stderr, no stack trace: how every refusal and usage error looks. */
function expectOneLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** The claude_code_ series names a dashboard file queries. */
function dashboardNames(file: string): Set<string> {
  const json = JSON.parse(read(file)) as { panels: { targets: { expr: string }[] }[] };
  return new Set(json.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/claude_code_\w+/g) ?? [])));
}

describe('init: the local stack', () => {
  it('writes every file, with modes containers can read, a private .env and the user settings', async () => {
    const r = await m.init(['--no-start']);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    for (const rel of STACK_FILES) expect(existsSync(join(m.stack, rel)), rel).toBe(true);
    for (const rel of STACK_FILES.filter((f) => f !== '.env')) expect(mode(join(m.stack, rel)).toString(8), rel).toBe('644');
    expect(mode(join(m.stack, '.env')).toString(8)).toBe('600');
    expect(mode(join(m.stack, 'grafana', 'provisioning')).toString(8)).toBe('755');
    expect(JSON.parse(read(m.settings))).toEqual({ env: LOCAL_ENV });
    expect(mode(m.settings).toString(8)).toBe('600');
    expect(r.stdout).toMatch(/✓ the doctor's \d+ rules find nothing to report/);

    const pw = password();
    expect(pw.length).toBeGreaterThanOrEqual(24);
    expect(pw).not.toBe('admin');
    expect(r.stdout + r.stderr).not.toContain(pw);
    expect(r.stdout).toContain(`password stored in ${join(m.stack, '.env')}`);
    const compose = read(join(m.stack, 'docker-compose.yml'));
    expect(compose).not.toContain(pw);
    expect(compose).toContain('${GF_SECURITY_ADMIN_PASSWORD');
    expect(compose).not.toMatch(/^version:/m);
    expect(compose).not.toMatch(/^\s+healthcheck:/m);
    const ports = [...compose.matchAll(/^\s+- "([^"]+)"\s*(#.*)?$/gm)].map((x) => x[1]).filter((p) => /^\S*\d+:\d+$/.test(p));
    expect(ports.length).toBe(7);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:/);
  });

  it('`check` on the home (and CI mode on the folder) reports nothing; the password is in no output format', async () => {
    expect((await m.init(['--no-start'])).exitCode).toBe(0);
    const pretty = await m.check();
    expect(pretty.exitCode, pretty.stdout).toBe(0);
    expect(pretty.stdout).toContain('no problems found');
    // The stack was read: the prediction line names the settings init wrote.
    expect(pretty.stdout).toContain('metrics: otlp grpc → http://localhost:4317');
    const json = await m.check(['--format', 'json']);
    const report = JSON.parse(json.stdout);
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ error: 0, warning: 0, info: 0 });
    const sarif = await m.check(['--format', 'sarif']);
    const ci = await m.cli(['check', m.stack, '--format', 'json']);
    expect(ci.exitCode).toBe(0);
    expect(JSON.parse(ci.stdout).findings).toEqual([]);
    for (const out of [pretty.stdout, json.stdout, sarif.stdout, ci.stdout]) expect(out).not.toContain(password());
  });

  // Which series the dashboard queries is held against what real Claude Code through the real collector exposes
  // (init-real.test.ts); comparing with the naming model that generated the dashboard would prove nothing.
  it('the dashboard names each Claude Code metric once and uses the provisioned datasources', async () => {
    expect((await m.init(['--no-start'])).exitCode).toBe(0);
    const queried = dashboardNames(join(m.stack, 'grafana/dashboards/claude-code.json'));
    expect(queried.size).toBe(CLAUDE_METRICS.length);
    expect(queried).toContain('claude_code_cost_usage_USD_total'); // as the real collector names it (init-real)
    const datasources = read(join(m.stack, 'grafana/provisioning/datasources/datasources.yaml'));
    const uids = [...datasources.matchAll(/^\s+uid: (\S+)$/gm)].map((x) => x[1]);
    const refs = new Set([...read(join(m.stack, 'grafana/dashboards/claude-code.json')).matchAll(/"uid": "([^"]+)"/g)].map((x) => x[1]));
    refs.delete('claude-code'); // the dashboard's own uid
    expect([...refs].sort()).toEqual([...uids].sort());
  });

  it('merges into an existing settings.json (other keys, order and values kept) and `restore` undoes everything', async () => {
    const original =
      '{\n    "model": "opus",\n    "env": {\n        "FOO": "bar",\n        "OTEL_METRICS_EXPORTER": "console"\n    },\n    "permissions": {\n        "allow": ["Bash"]\n    }\n}\n';
    writeFile(m.settings, original);
    const r = await m.init(['--no-start']);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('OTEL_METRICS_EXPORTER=otlp (was console)');
    const after = read(m.settings);
    expect(JSON.parse(after)).toEqual({ model: 'opus', env: { FOO: 'bar', ...LOCAL_ENV }, permissions: { allow: ['Bash'] } });
    expect(after.startsWith('{\n    "model": "opus",\n    "env": {\n        "FOO": "bar",\n        "OTEL_METRICS_EXPORTER": "otlp"')).toBe(true);
    expect(after).toContain('"allow": ["Bash"]'); // untouched bytes stay as they were

    const restore = await m.cli(['restore']);
    expect(restore.exitCode, restore.stdout).toBe(0);
    expect(read(m.settings)).toBe(original);
    for (const rel of STACK_FILES) expect(existsSync(join(m.stack, rel)), rel).toBe(false);
  });

  it('refuses a settings.json with a comment (Claude Code ignores the whole file): located, exit 2, nothing written', async () => {
    const text = '{\n  "env": {\n    // telemetry\n    "FOO": "bar"\n  }\n}\n';
    writeFile(m.settings, text);
    const before = treeHash(m.root);
    const r = await m.init(['--no-start']);
    expect(r.exitCode).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain(`${m.settings}:3:5: comment`);
    expect(r.stderr).toContain('claude-otel-doctor --fix');
    expect(treeHash(m.root)).toBe(before);
    expect(existsSync(m.stack)).toBe(false);
  });

  it('refuses a settings.json that is not JSON, or has a key of the wrong type: located, exit 2, nothing written', async () => {
    for (const [text, where] of [
      ['{\n  "env": {\n    "FOO": "bar"\n  \n', ':5:1: '],
      ['{\n  "model": 123\n}\n', ':2:12: '],
    ]) {
      writeFile(m.settings, text);
      const before = treeHash(m.root);
      const r = await m.init(['--no-start']);
      expect(r.exitCode, text).toBe(2);
      expectOneLine(r.stderr);
      expect(r.stderr).toContain(`${m.settings}${where}`);
      expect(read(m.settings)).toBe(text);
      expect(treeHash(m.root)).toBe(before);
    }
  });

  it('is idempotent: a second run changes nothing (the password is kept) and exits 0', async () => {
    expect((await m.init(['--no-start'])).exitCode).toBe(0);
    const pw = password();
    const before = treeHash(m.root);
    const r = await m.init(['--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('nothing to write');
    expect(r.stdout).toMatch(/same\s+\.env/);
    expect(treeHash(m.root)).toBe(before);
    expect(password()).toBe(pw);

    // A .env the user added to still holds the password Grafana was seeded with: kept, not a conflict.
    writeFileSync(join(m.stack, '.env'), `${read(join(m.stack, '.env'))}COMPOSE_PROJECT_NAME=mine\n`);
    const edited = treeHash(m.root);
    const again = await m.init(['--no-start']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/keep\s+\.env/);
    expect(treeHash(m.root)).toBe(edited);
  });

  it('refuses a file that differs (exit 2, left byte-identical); --force replaces it with a backup and `restore` puts it back', async () => {
    expect((await m.init(['--no-start'])).exitCode).toBe(0);
    const file = join(m.stack, 'prometheus.yml');
    const generated = read(file);
    const mine = generated.replace('scrape_interval: 15s', 'scrape_interval: 30s');
    writeFileSync(file, mine);
    const before = treeHash(m.root);

    const refused = await m.init(['--no-start']);
    expect(refused.exitCode).toBe(2);
    expectOneLine(refused.stderr);
    expect(refused.stderr).toContain(file);
    expect(refused.stderr).toContain('--force');
    expect(read(file)).toBe(mine);
    expect(treeHash(m.root)).toBe(before);

    const forced = await m.init(['--no-start', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/replace\s+prometheus\.yml/);
    expect(read(file)).toBe(generated);

    const restore = await m.cli(['restore']);
    expect(restore.exitCode, restore.stdout).toBe(0);
    expect(read(file)).toBe(mine);
  });

  it("over an older setup (the seed skill's stack): refused; with --force replaced, and its leftovers named with the doctor's findings (exit 1)", async () => {
    cpSync(join(FIXTURES_DIR, 'seed-template-stack', 'files'), m.stack, { recursive: true });
    const refused = await m.init(['--no-start']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('docker-compose.yml');
    const forced = await m.init(['--no-start', '--force']);
    expect(forced.exitCode).toBe(1);
    expect(forced.stdout).toMatch(/also holds .*otel-collector-config\.yml.*which init did not write/);
    expect(forced.stdout).toContain('[collector/const-label-clash]'); // the seed's collector config, still in the folder
    expect(read(join(m.stack, 'docker-compose.yml'))).toContain('otel/opentelemetry-collector-contrib:0.165.0');
  });

  it('--dry-run prints the plan and the settings diff and changes nothing', async () => {
    writeFile(m.settings, '{\n  "model": "opus"\n}\n');
    const before = treeHash(m.root);
    const r = await m.init(['--no-start', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(treeHash(m.root)).toBe(before);
    for (const rel of STACK_FILES) expect(r.stdout).toContain(rel);
    expect(r.stdout).toContain(`+++ ${m.settings}`);
    expect(r.stdout).toContain('+    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",');
    expect(r.stdout).toContain('nothing written (--dry-run)');

    // A plan that would be refused is refused in a dry run too.
    expect((await m.init(['--no-start'])).exitCode).toBe(0);
    writeFileSync(join(m.stack, 'docker-compose.yml'), 'services: {}\n');
    const snapshot = treeHash(m.root);
    const refused = await m.init(['--no-start', '--dry-run']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toMatch(/DIFFERS\s+docker-compose\.yml/);
    expect(treeHash(m.root)).toBe(snapshot);
  });

  it('never prints a credential of the settings it changes, in the plan, the diff or the report', async () => {
    const password = 's3cretPassw0rd';
    const token = 'tok_9f8e7d6c5b4a';
    writeFile(
      m.settings,
      `${JSON.stringify({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `https://ci:${password}@otel.example.com:4318`, OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${token}` } }, null, 2)}\n`,
    );
    const dry = await m.init(['--no-start', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 (was https://otel.example.com:4318');
    const real = await m.init(['--no-start']);
    expect(real.exitCode, real.stderr).toBe(0);
    for (const r of [dry, real]) {
      expect(r.stdout + r.stderr).not.toContain(password);
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });

  it('without Docker on PATH: says so, prints the command to start the stack later, exits 0', async () => {
    const r = await m.init([], { PATH: m.emptyBin });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Docker is not available (no docker command on PATH)');
    expect(r.stdout).toContain(`docker compose -f ${join(m.stack, 'docker-compose.yml')} up -d`);
    expect(existsSync(join(m.stack, 'docker-compose.yml'))).toBe(true);
  });

  // No Docker engine can run here: these use a double of the docker CLI (its documented exit codes: `docker info`
  // 0 when an engine answers; `docker compose up -d` 0 when the containers were created) that starts nothing.
  function dockerDouble(compose: 'ok' | 'fails'): { path: string; calls: () => string[] } {
    const bin = join(m.root, 'docker-double');
    const log = join(bin, 'calls.log');
    const failing = 'echo "Error response from daemon: pull access denied for grafana/loki" >&2; exit 1';
    writeFile(
      join(bin, 'docker'),
      `#!/bin/sh\necho "$*" >> '${log}'\ncase "$1" in\n  info) exit 0 ;;\n  compose) ${compose === 'ok' ? 'exit 0' : failing} ;;\nesac\nexit 1\n`,
    );
    chmodSync(join(bin, 'docker'), 0o755);
    return { path: bin, calls: () => (existsSync(log) ? read(log).trim().split('\n') : []) };
  }

  it('with Docker: compose up, then it waits for the services and runs the live checks, which say what does not answer', async () => {
    const docker = dockerDouble('ok');
    // The stack's published ports (4317, 13133, ...) must be free here: the differential suite's collectors bind some
    // of them, and take this lock while they run.
    const r = await withStartLock(() => m.init(['--wait', '1'], { PATH: docker.path }));
    expect(docker.calls()).toEqual(['info', `compose -f ${join(m.stack, 'docker-compose.yml')} up -d`]);
    expect(r.stdout).toContain(`starting the stack: docker compose -f ${join(m.stack, 'docker-compose.yml')} up -d`);
    expect(r.stdout).toContain('the stack is starting; waiting up to 1 s for its services to answer');
    expect(r.stdout).toMatch(
      /not answering after 1 s: collector, Prometheus, Loki, Grafana \(docker compose ps and docker compose logs show why\); the live checks as things stand:/,
    );
    // The live checks ran on what init wrote: the settings' endpoint and the compose stack's published ports.
    // (the stack does not answer, so their refusals are one line: the endpoint first, then each service's port)
    expect(r.stdout).toMatch(/^✗ connection refused: OTLP endpoint http:\/\/localhost:4317, Collector http:\/\/127\.0\.0\.1:13133, /m);
    // init just started the stack: start here does not say to start it again, but where to look.
    expect(r.stdout).toMatch(
      /^start here: the stack was just started and nothing answers yet \(Collector, Prometheus, Loki, Grafana\): docker compose -f .* logs shows why$/m,
    );
    expect(r.stdout).not.toContain('is it running?');
    expect(r.exitCode).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(password());
  }, 60_000);

  it('with Docker: a failing compose up is reported with its error, exit 1, and the files stay written', async () => {
    const docker = dockerDouble('fails');
    const r = await m.init([], { PATH: docker.path });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('docker compose up failed: Error response from daemon: pull access denied for grafana/loki');
    expect(existsSync(join(m.stack, 'docker-compose.yml'))).toBe(true);
  });

  it('--wait is checked before anything is written', async () => {
    const before = treeHash(m.root);
    const r = await m.init(['--wait', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--wait must be a number of seconds/);
    expect(treeHash(m.root)).toBe(before);
  });

  it('--dir writes the stack elsewhere, and check on that folder reports nothing', async () => {
    const dir = join(m.root, 'elsewhere');
    const r = await m.init(['--no-start', '--dir', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const rel of STACK_FILES) expect(existsSync(join(dir, rel)), rel).toBe(true);
    expect(existsSync(m.stack)).toBe(false);
    expect(r.stdout).toContain(`claude-otel-doctor check ${dir}`);
    const ci = await m.cli(['check', dir]);
    expect(ci.exitCode, ci.stdout).toBe(0);
  });

  it('bad usage exits 2 with one line and changes nothing', async () => {
    writeFileSync(join(m.root, 'a-file'), 'x');
    const before = treeHash(m.root);
    for (const args of [['--bogus'], ['--protocol', 'grpc'], ['--endpoint', 'https://otel.example.com'], ['--dir', join(m.root, 'a-file')]]) {
      const r = await m.init(['--no-start', ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expectOneLine(r.stderr);
    }
    expect(treeHash(m.root)).toBe(before);
  });
});
