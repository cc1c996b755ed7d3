// A reader that stops early (`claude-otel-doctor check . | head`) closes the pipe under the CLI: it must stop
// quietly with its exit code, not die on an unhandled EPIPE with a stack trace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

describe('stdout closed by the reader', () => {
  it('check with a large report: no stack trace, the findings exit code', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'src/cli.ts'), 'check', join(packageRoot, 'fixtures'), '--format', 'json'], {
      cwd: packageRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    // Like `head -c 10`: read the first chunk, then close our end.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(2); // the fixtures hold errors and a file no one can read (a UTF-16 settings fixture): exit 2
  }, 60_000);
});
