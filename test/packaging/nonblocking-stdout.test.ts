// On a pipe the CLI writes its output with synchronous writes (src/util/stdio.ts), not through Node's stream. A pipe
// end left non-blocking by whoever started the CLI refuses a write while the pipe is full (EAGAIN) instead of
// waiting: the CLI must wait for the reader as Node's stream would, and the reader must get the whole output. Perl
// (perl-base, on every Debian system) makes the CLI's stdout non-blocking before it starts it (Node's spawn makes a
// child's stdio blocking), and the reader here reads nothing for a second, so 300 kB of `rules --format json` meets a
// full pipe many times over.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const work = mkdtempSync(join(tmpdir(), 'cod-nonblocking-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bin = join(packageRoot, 'dist', 'cli.cjs');
const env = { ...process.env, HOME: join(work, 'home'), XDG_CACHE_HOME: join(work, 'cache'), NO_COLOR: '1' };
const NON_BLOCKING_STDOUT =
  'my $f = fcntl(STDOUT, F_GETFL, 0) or die "F_GETFL: $!"; fcntl(STDOUT, F_SETFL, $f | O_NONBLOCK) or die "F_SETFL: $!"; exec @ARGV or die "exec: $!"';

describe('stdout on a non-blocking pipe', () => {
  it('a full pipe makes the CLI wait for its reader: the whole output arrives, exit 0', async () => {
    const expected = spawnSync(process.execPath, [bin, 'rules', '--format', 'json'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(expected.status).toBe(0);
    expect(expected.stdout.length).toBeGreaterThan(200_000);

    const cli = spawn('perl', ['-MFcntl', '-e', NON_BLOCKING_STDOUT, process.execPath, bin, 'rules', '--format', 'json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    cli.stdout.pause();
    cli.stdout.on('data', (d: Buffer) => chunks.push(d));
    setTimeout(() => cli.stdout.resume(), 1000);
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected.stdout);
  }, 60_000);
});
