// The declared floor is true: on the oldest Node.js that package.json's engines.node admits, `npm install` of the
// packed tarball prints no EBADENGINE (no dependency asks for a newer Node), and the installed CLI runs there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { floorNodePaths, nodeFloor } from '../../scripts/provision-node.mjs';
import { packageRoot } from '../../src/util/paths.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { describeWithComponents } from '../helpers/real-components.js';

const floor: string | undefined = nodeFloor();
const node: string | undefined = floor ? floorNodePaths(floor).binary : undefined;

it('package.json declares its Node.js floor as ">=X.Y.Z", and README states it', () => {
  expect(floor).toMatch(/^\d+\.\d+\.\d+$/);
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  expect(readme).toContain(`Node.js ${floor!.replace(/\.0$/, '')} or newer`);
  expect(readme).toContain(`on exactly ${floor} `);
});

/** The npm that runs this test, as a script the floor Node can run (npm 11 supports Node ^20.17.0 || >=22.9.0). */
function npmCli(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'npm'))) return realpathSync(join(dir, 'npm'));
  }
  throw new Error('npm is not on PATH');
}

const missing = node && !existsSync(node) ? `Node.js ${floor} is not provisioned: node scripts/provision-node.mjs` : undefined;
describeWithComponents(`the packed CLI on Node.js ${floor}`, missing, () => {
  const work = mkdtempSync(join(tmpdir(), 'cod-floor-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs without EBADENGINE and answers --version and check (settings, and dashboards through the LogQL grammar)', () => {
    const pack = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: packageRoot, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "private": true }\n');
    // The floor Node first on PATH, so whatever npm or the CLI starts runs on it too.
    const env = { ...process.env, PATH: `${dirname(node!)}${delimiter}${process.env.PATH}`, npm_config_loglevel: 'warn', NO_COLOR: '1' };
    const install = spawnSync(node!, [npmCli(), 'install', '--no-audit', '--no-fund', tgz], { cwd: app, encoding: 'utf8', env });
    expect(install.status, install.stderr).toBe(0);
    expect(`${install.stdout}${install.stderr}`.split('\n').filter((line) => line.includes('EBADENGINE'))).toEqual([]);

    const cli = join(app, 'node_modules', 'claude-otel-doctor', 'dist', 'cli.js');
    const run = (args: string[]) => spawnSync(node!, [cli, ...args], { cwd: work, encoding: 'utf8', env });
    expect(spawnSync(node!, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`v${floor}`);
    const version = run(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/claude-otel-doctor\/\d+\.\d+\.\d+/);
    const fixture = join(FIXTURES_DIR, 'seed-required-comments');
    const check = run(['check', '--no-shell-env', '--home', join(fixture, 'home'), '--project', join(fixture, 'project'), '--managed-dir', join(work, 'none')]);
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout).toContain('[settings/invalid-json]');
    const dashboards = run(['check', join(FIXTURES_DIR, 'dashboard-logql-label-fail', 'files'), '--format', 'json']);
    expect(dashboards.status, dashboards.stderr).toBe(0);
    const findings: { ruleId: string }[] = JSON.parse(dashboards.stdout).findings;
    expect(findings.map((f) => f.ruleId)).toEqual(Array(4).fill('dashboard/logql-label'));
  }, 240_000);
});
