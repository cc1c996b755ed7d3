// A reader that stops early (`claude-otel-doctor check . | head`) closes the pipe under the CLI: it must stop
// quietly with its exit code, not die on an unhandled EPIPE with a stack trace. The report (the dashboard fixtures as
// JSON, a few hundred kB: several pipe buffers) is what the same command prints to a reader that reads it all.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const fixtures = readdirSync(join(packageRoot, 'fixtures'))
  .filter((d) => d.startsWith('dashboard-'))
  .map((d) => join(packageRoot, 'fixtures', d, 'files'));
const args = ['--import', 'tsx', join(packageRoot, 'src/cli.ts'), 'check', ...fixtures, '--format', 'json'];
const env = { ...process.env, NO_COLOR: '1' };

describe('stdout closed by the reader', () => {
  it('check with a large report: no stack trace, the findings exit code', async () => {
    const whole = spawnSync(process.execPath, args, { cwd: packageRoot, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(whole.stderr).toBe('');
    expect(whole.stdout.length).toBeGreaterThan(200_000);
    expect(whole.status).toBe(1); // warnings and errors among the fixtures

    const child = spawn(process.execPath, args, { cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    // Like `head -c 10`: read the first chunk, then close our end.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(whole.status);
  }, 60_000);
});
