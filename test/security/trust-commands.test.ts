// No command from untrusted content (issue #11, item 1) and a user's headers helper that cannot hang the doctor or
// eat its memory (item 6, the helper half). A repository's project or local settings, or a settings file in a
// scanned repo, name an otelHeadersHelper that would leave a marker file: the probes must not run it, and must say
// so; --trust-project runs it. A repository's .claude-otel-doctor.json cannot pin an old Claude Code version to
// make its project settings choose the destination. A helper from the user's own settings that starts a sleeper
// and floods its output is stopped with its whole process group.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { telemetrySettings } from '../probes/live-stack.js';
import { trustTestKit, waitGone } from './trust-support.js';

const { cleanup, recorder, newMachine: newKitMachine } = trustTestKit();
const newMachine = (settings: Record<string, string>, topLevel: Record<string, unknown> = {}) => newKitMachine(settings, {}, topLevel);

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A helper that leaves a marker when it runs, and prints one header. */
const markingHelper = (marker: string) => `touch '${marker}'; printf '{"x-helper":"ran"}'`;
const probeArgs = ['--select', 'probe/otlp-http,probe/data-flow', '--flow-timeout', '1', '--timeout', '2'];

describe('an otelHeadersHelper from untrusted content is never run', () => {
  it.each(['settings.json', 'settings.local.json'])('project .claude/%s: not run, and the output says why; --trust-project runs it', async (name) => {
    const sink = await recorder();
    const m = newMachine(telemetrySettings('http/protobuf', sink.url));
    const marker = join(m.root, 'marker');
    write(join(m.root, 'project/.claude', name), JSON.stringify({ otelHeadersHelper: markingHelper(marker) }));

    const r = await runCliAsync(['probe', ...m.args, ...probeArgs]);
    expect(r.stderr).toBe('');
    expect(existsSync(marker)).toBe(false);
    expect(r.stdout).toContain(`otelHeadersHelper in ${join(m.root, 'project/.claude', name)} was not run: it comes from project`);
    expect(r.stdout).toContain('--trust-project');
    expect(sink.requests).toEqual([]); // nothing sent without the headers Claude Code would send

    const json = JSON.parse((await runCliAsync(['probe', ...m.args, ...probeArgs, '--format', 'json'])).stdout);
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'probe/otlp-http',
        severity: 'info',
        file: join(m.root, 'project/.claude', name),
        message: "endpoint not probed: the doctor runs no otelHeadersHelper from the repository's settings",
        detail: expect.stringContaining('was not run'),
      }),
    );
    expect(existsSync(marker)).toBe(false);

    const trusted = await runCliAsync(['probe', ...m.args, ...probeArgs, '--trust-project']);
    expect(trusted.stderr).toBe('');
    expect(existsSync(marker)).toBe(true);
    expect(sink.requests.some((q) => q.headers['x-helper'] === 'ran')).toBe(true);
  });

  it('a settings file in a scanned repo (probe <paths>): not run, with or without --trust-project', async () => {
    const sink = await recorder();
    const m = newMachine({});
    const repo = join(m.root, 'repo');
    const marker = join(m.root, 'marker');
    write(
      join(repo, 'templates/settings.json.local'),
      JSON.stringify({ otelHeadersHelper: markingHelper(marker), env: telemetrySettings('http/protobuf', sink.url) }),
    );
    write(join(repo, '.claude/settings.json'), JSON.stringify({ otelHeadersHelper: markingHelper(marker), env: telemetrySettings('http/protobuf', sink.url) }));
    for (const extra of [[], ['--trust-project']]) {
      const r = await runCliAsync(['probe', repo, '--claude-version', '2.1.197', ...probeArgs, ...extra]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('runs on each machine');
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe("a repository's .claude-otel-doctor.json cannot widen what project settings may do", () => {
  it('a versions.claudeCode pin to an old Claude Code does not make the project endpoint count', async () => {
    const own = await recorder();
    const repos = await recorder();
    const m = newMachine(telemetrySettings('http/protobuf', own.url, { OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer user-secret-pin-7e1' }));
    write(join(m.root, 'project/.claude/settings.json'), JSON.stringify({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: repos.url } }));
    const config = join(m.root, 'project/.claude-otel-doctor.json');
    write(config, JSON.stringify({ versions: { claudeCode: '2.1.150' } }));
    // No --claude-version, and no `claude` on PATH: only the config could say the version.
    const args = m.args.filter((a, i) => a !== '--claude-version' && m.args[i - 1] !== '--claude-version');
    const r = await runCliAsync(['probe', ...args, ...probeArgs, '--config', config, '--format', 'json'], { PATH: m.root });
    expect(r.stderr).toBe('');
    expect(repos.requests).toEqual([]);
    expect(own.requests.length).toBeGreaterThan(0);
    expect(own.requests.every((q) => q.headers.authorization === 'Bearer user-secret-pin-7e1')).toBe(true);
    expect(JSON.parse(r.stdout).effective[0].claudeVersion.source).toBe('newest known');
  });
});

describe("the user's own headers helper is bounded", () => {
  async function runHelper(helper: (pidFile: string) => string, timeoutSeconds: number) {
    const sink = await recorder();
    const m = newMachine(telemetrySettings('http/protobuf', sink.url), {});
    const pidFile = join(m.root, 'sleeper.pid');
    const settings = JSON.parse(readFileSync(join(m.root, 'home/.claude/settings.json'), 'utf8'));
    writeFileSync(join(m.root, 'home/.claude/settings.json'), JSON.stringify({ ...settings, otelHeadersHelper: helper(pidFile) }));
    const start = Date.now();
    const r = await runCliAsync(['probe', ...m.args, '--select', 'probe/otlp-http', '--timeout', String(timeoutSeconds), '--format', 'json']);
    const ms = Date.now() - start;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    cleanup.push(() => {
      try {
        process.kill(pid, 'SIGKILL'); // only if the test failed: the sleeper this test started
      } catch {
        // gone, as it should be
      }
    });
    return { r, ms, pid, sink, findings: JSON.parse(r.stdout).findings as { ruleId: string; message: string; detail?: string }[] };
  }

  it('a helper that starts a sleeper and floods its output is stopped at once, its process group with it', async () => {
    const { r, ms, pid, sink, findings } = await runHelper((pidFile) => `sleep 100 & echo $! > '${pidFile}'; exec yes`, 5);
    expect(r.stderr).toBe('');
    expect(ms).toBeLessThan(5000 + 3000);
    expect(await waitGone(pid)).toBe(true);
    expect(findings).toContainEqual(
      expect.objectContaining({ ruleId: 'probe/otlp-http', detail: expect.stringMatching(/^run for \S+: its output is too large/) }),
    );
    expect(sink.requests).toEqual([]);
  });

  it('a helper that waits on a sleeper is stopped at the timeout, its process group with it', async () => {
    const { r, ms, pid, findings } = await runHelper((pidFile) => `sleep 100 & echo $! > '${pidFile}'; wait`, 1);
    expect(r.stderr).toBe('');
    expect(ms).toBeLessThan(1000 + 3000);
    expect(await waitGone(pid)).toBe(true);
    expect(findings).toContainEqual(
      expect.objectContaining({ ruleId: 'probe/otlp-http', detail: expect.stringMatching(/^run for \S+: it timed out after 1 s/) }),
    );
  });

  it('a helper that works still gives its headers (the bounds do not get in the way)', async () => {
    const { r, pid, sink } = await runHelper((pidFile) => `echo $$ > '${pidFile}'; printf '{"Authorization":"Bearer helper-token-5d"}'`, 5);
    expect(r.stderr).toBe('');
    expect(await waitGone(pid)).toBe(true);
    expect(sink.requests.map((q) => q.headers.authorization)).toEqual(['Bearer helper-token-5d', 'Bearer helper-token-5d']);
  });
});

describe("a token the user's helper printed", () => {
  it('is masked when a server echoes it back in its answer', async () => {
    const { createServer } = await import('node:http');
    // An OTLP/HTTP receiver that refuses the token and quotes it (and the token alone) in its error text.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const auth = String(req.headers.authorization ?? '');
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end(`invalid credentials "${auth}" (token ${auth.replace(/^Bearer /, '')})`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const token = `helper-echo-${Math.random().toString(36).slice(2, 10)}`;
    const m = newMachine(telemetrySettings('http/protobuf', url), { otelHeadersHelper: `printf '{"Authorization":"Bearer ${token}"}'` });
    for (const format of ['pretty', 'json']) {
      const r = await runCliAsync(['probe', ...m.args, ...probeArgs, '--format', format]);
      expect(r.stdout).toMatch(/401/); // the answer is shown, so the test is not vacuous
      expect(r.stdout).toContain('****');
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });
});

describe('Ctrl-C while a headers helper runs', () => {
  // The helper has its own process group (so a timeout can end all it started); the terminal's SIGINT reaches only
  // the doctor's group, so the doctor must end the helper's group itself before it exits.
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: the doctor exits with %i and the helper and its sleeper are gone', async (signal, code) => {
    const { spawn } = await import('node:child_process');
    const { packageRoot } = await import('../../src/util/paths.js');
    const sink = await recorder();
    const m = newMachine(telemetrySettings('http/protobuf', sink.url), {});
    const pidFile = join(m.root, 'sleeper.pid');
    const settings = JSON.parse(readFileSync(join(m.root, 'home/.claude/settings.json'), 'utf8'));
    writeFileSync(join(m.root, 'home/.claude/settings.json'), JSON.stringify({ ...settings, otelHeadersHelper: `sleep 100 & echo $! > '${pidFile}'; wait` }));
    const child = spawn(process.execPath, [join(packageRoot, 'dist/cli.js'), 'probe', ...m.args, '--select', 'probe/otlp-http', '--timeout', '60'], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const deadline = Date.now() + 20_000;
    while (!existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100)); // the pid is written whole
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    cleanup.push(() => {
      try {
        process.kill(sleeper, 'SIGKILL'); // only if the test failed
      } catch {
        // gone, as it should be
      }
    });
    const sent = Date.now();
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(await waitGone(sleeper)).toBe(true);
  });
});
