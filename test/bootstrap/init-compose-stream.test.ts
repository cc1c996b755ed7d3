// `init` streams what `docker compose up` prints as it comes, not when it ends: a double of the docker CLI (no
// engine runs here) prints one line, takes two seconds, prints another. Piped, the lines go to stderr as compose
// wrote them; on a terminal (a real pseudo-terminal through util-linux `script`) they are indented under init's own
// lines, with a status line while compose runs and its services are waited for, erased at the end.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { newMachine, writeFile, type Machine } from './machine.js';

let m: Machine;
beforeEach(() => {
  m = newMachine();
});
afterEach(() => m.cleanup());

/** A docker CLI double: `info` answers; `compose up` prints a line on each stream, sleeps, prints one more. */
function slowCompose(): string {
  const bin = join(m.root, 'docker-double');
  writeFile(
    join(bin, 'docker'),
    `#!/bin/sh
case "$1" in
  info) exit 0 ;;
  compose) echo " Network telemetry_default  Created" >&2; echo " Container loki  Creating"; sleep 2; echo " Container loki  Started\x1b[2J" >&2
    echo " grafana  | admin password $(sed -n 's/^GF_SECURITY_ADMIN_PASSWORD=//p' '${join(m.stack, '.env')}')"; exit 0 ;;
esac
exit 1
`,
  );
  chmodSync(join(bin, 'docker'), 0o755);
  return bin;
}

interface Timed {
  out: { at: number; text: string }[];
  err: { at: number; text: string }[];
  endedAt: number;
}

function run(command: string, args: string[], env: Record<string, string | undefined>): Promise<Timed> {
  const start = Date.now();
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, CI: undefined, ...m.env, ...env })) if (v !== undefined) childEnv[k] = v;
  const child = spawn(command, args, { cwd: packageRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const t: Timed = { out: [], err: [], endedAt: 0 };
  child.stdout.setEncoding('utf8').on('data', (text: string) => t.out.push({ at: Date.now() - start, text }));
  child.stderr.setEncoding('utf8').on('data', (text: string) => t.err.push({ at: Date.now() - start, text }));
  return new Promise((res) => child.on('close', () => res({ ...t, endedAt: Date.now() - start })));
}

const password = () => /^GF_SECURITY_ADMIN_PASSWORD=(.+)$/m.exec(readFileSync(join(m.stack, '.env'), 'utf8'))![1];
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const initArgs = () => [process.execPath, '--import', 'tsx', join(packageRoot, 'src/cli.ts'), 'init', '--home', m.home, '--wait', '1'];
const arrival = (chunks: { at: number; text: string }[], text: string) => chunks.find((c) => c.text.includes(text))?.at;

describe("init streams docker compose up's output", () => {
  it('piped: each line on stderr as compose prints it, unchanged but for control characters and credentials', async () => {
    const r = await run(initArgs()[0], initArgs().slice(1), { PATH: `${slowCompose()}:/usr/bin:/bin` });
    const err = r.err.map((c) => c.text).join('');
    expect(err).toContain(' Network telemetry_default  Created\n');
    expect(err).toContain(' Container loki  Creating\n');
    expect(err).toContain(' Container loki  Started\\x1b[2J\n'); // escaped, not a cleared screen
    // The first lines arrive while compose still runs (it sleeps 2 s before the last).
    expect(arrival(r.err, 'Started')! - arrival(r.err, 'Creating')!).toBeGreaterThan(1500);
    expect(r.out.map((c) => c.text).join('')).not.toMatch(/[\r\x1b]/);
    // What compose prints passes through the run's masking: Grafana's password never shows.
    expect(err).toContain(' grafana  | admin password ****\n');
    expect(err + r.out.map((c) => c.text).join('')).not.toContain(password());
  }, 60_000);

  it('on a terminal: indented under init, as they come, with a status line that is erased', async () => {
    const line = ['stty cols 200 rows 50;', 'exec', ...initArgs().map(quote)].join(' ');
    const r = await run('script', ['-qfec', line, '/dev/null'], { PATH: `${slowCompose()}:/usr/bin:/bin`, TERM: 'xterm-256color' });
    const raw = r.out.map((c) => c.text).join('');
    const screen = raw.replace(/\r\n/g, '\n').replace(/[^\n]*\r\x1b\[2K/g, '');
    expect(screen).toMatch(/^starting the stack: .*\n {3}(Container loki {2}Creating|Network telemetry_default {2}Created)\n/m);
    expect(screen).toMatch(/^ {3}Container loki {2}Started\\x1b\[2J\n/m);
    expect(arrival(r.out, 'Started')! - arrival(r.out, 'Creating')!).toBeGreaterThan(1500);
    expect(raw).toContain('\r\x1b[2Kwaiting for docker compose up (');
    expect(raw).toMatch(/\r\x1b\[2Kwaiting for collector, Prometheus, Loki, Grafana to answer \(/);
    expect(screen).toContain('grafana  | admin password ****\n');
    expect(raw).not.toContain(password());
    // Nothing is left of the status line at the end.
    expect(screen).toMatch(/\n$/);
    expect(screen).not.toContain('waiting for');
  }, 60_000);

  it("on a terminal, init's closing live checks end as the same text a pipe gets (streamed stage by stage through report/live.ts)", async () => {
    const env = { PATH: `${slowCompose()}:/usr/bin:/bin`, NO_COLOR: undefined, FORCE_COLOR: undefined };
    const piped = await run(initArgs()[0], initArgs().slice(1), env);
    const pipeText = piped.out.map((c) => c.text).join('');
    expect(pipeText).toMatch(/the live checks as things stand:\nclaude-otel-doctor\n/);
    // --no-color on the terminal: the report streamed and its final text are both plain, as init's own lines are.
    const line = ['stty cols 200 rows 50;', 'exec', ...[...initArgs(), '--no-color'].map(quote)].join(' ');
    const tty = await run('script', ['-qfec', line, '/dev/null'], { ...env, TERM: 'xterm-256color' });
    const screen = tty.out
      .map((c) => c.text)
      .join('')
      .replace(/\r\n/g, '\n')
      .replace(/[^\n]*\r\x1b\[2K/g, '');
    // (The second run finds the files in place.) From the live checks on, the screen is the piped text: nothing
    // said twice, nothing left of the status line.
    const report = (text: string) => text.slice(text.indexOf('claude-otel-doctor\n'));
    expect(screen).toContain('the live checks as things stand:\nclaude-otel-doctor\n');
    expect(report(screen)).toBe(report(pipeText));
    expect(screen.match(/^claude-otel-doctor$/gm)).toHaveLength(1);
    // Streamed: the report's head is on the screen before the probes' status line, not after every probe ended.
    const raw = tty.out.map((c) => c.text).join('');
    expect(raw.indexOf('claude-otel-doctor\r\n')).toBeGreaterThan(0);
    expect(raw.indexOf('claude-otel-doctor\r\n')).toBeLessThan(raw.indexOf('waiting for answers'));
  }, 90_000);
});
