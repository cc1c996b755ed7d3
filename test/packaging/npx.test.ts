// The published shape: `npm pack` the project and run the tarball through `npx`, as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'cod-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack + npx', () => {
  it('the tarball runs with npx: --version, and check on a shipped fixture', () => {
    const pack = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: packageRoot, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    const env = { ...process.env, npm_config_cache: join(work, 'npm-cache'), NO_COLOR: '1' };
    const npx = (args: string[]) =>
      spawnSync('npx', ['--yes', '--package', join(work, tgz), 'claude-otel-doctor', ...args], { cwd: work, encoding: 'utf8', env });
    const version = npx(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/claude-otel-doctor\/\d+\.\d+\.\d+/);
    const fixture = join(FIXTURES_DIR, 'seed-required-comments');
    const check = npx(['check', '--no-shell-env', '--home', join(fixture, 'home'), '--project', join(fixture, 'project'), '--managed-dir', join(work, 'none')]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('[settings/invalid-json]');
  }, 180_000);
});
