// Credentials go only where they belong (issue #11, item 2). The user's credentials (OTLP headers from user
// settings or the shell, GRAFANA_TOKEN, a password in the shell) are sent only to an endpoint the same trusted
// scope or a flag names; never to one that project settings or a scanned repo's compose file choose. Each attack
// points at a loopback listener that records every request's headers: it must receive no credential. Each has a
// legitimate twin in which the same credentials do arrive, so the silence is not an accident of the setup.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { telemetrySettings } from '../probes/live-stack.js';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { planProbes, type ProbeFlags } from '../../src/probes/plan.js';
import { machineWorkspace } from '../../src/workspaces.js';
import { trustTestKit, type Recorder } from './trust-support.js';

const { recorder, newMachine } = trustTestKit();

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const USER_HEADERS = 'Authorization=Bearer user-secret-9f3c,X-User-Key=user-key-41d7';
const SECRETS = ['user-secret-9f3c', 'user-key-41d7', 'glsa_shell-token-77aa', 'shell-pw-5be0'];
const otlpProbes = ['--select', 'probe/otlp-http,probe/data-flow', '--flow-timeout', '1', '--timeout', '2'];
const noSecret = (r: Recorder) => SECRETS.every((s) => !r.seen().includes(s)) && r.requests.every((q) => q.headers.authorization === undefined);

describe('OTLP headers from user settings or the shell', () => {
  it('are not sent to an endpoint that project settings choose; the output says so', async () => {
    const sink = await recorder();
    const m = newMachine({ ...telemetrySettings('http/protobuf', 'http://127.0.0.1:9'), OTEL_EXPORTER_OTLP_HEADERS: USER_HEADERS });
    write(join(m.root, 'project/.claude/settings.json'), JSON.stringify({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } }));
    const r = await runCliAsync(['probe', ...m.args, ...otlpProbes]); // Claude Code 2.1.197: project settings choose the endpoint
    expect(r.stderr).toBe('');
    expect(sink.requests).toEqual([]);
    expect(noSecret(sink)).toBe(true);
    expect(r.stdout).toContain(
      `OTEL_EXPORTER_OTLP_HEADERS (${join(m.root, 'home/.claude/settings.json')}) not sent: OTEL_EXPORTER_OTLP_ENDPOINT comes from ${join(m.root, 'project/.claude/settings.json')}`,
    );

    // --trust-project: the user says the project is theirs; now it is Claude Code's behaviour that is probed.
    await runCliAsync(['probe', ...m.args, ...otlpProbes, '--trust-project']);
    expect(sink.requests.length).toBeGreaterThan(0);
    expect(sink.requests.every((q) => q.headers.authorization === 'Bearer user-secret-9f3c' && q.headers['x-user-key'] === 'user-key-41d7')).toBe(true);
  });

  it('from the shell: not sent to a project endpoint either', async () => {
    const sink = await recorder();
    const m = newMachine(telemetrySettings('http/protobuf', 'http://127.0.0.1:9'));
    write(join(m.root, 'project/.claude/settings.local.json'), JSON.stringify({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } }));
    const args = m.args.filter((a) => a !== '--no-shell-env');
    const r = await runCliAsync(['probe', ...args, ...otlpProbes], { OTEL_EXPORTER_OTLP_HEADERS: USER_HEADERS });
    expect(r.stderr).toBe('');
    expect(sink.requests).toEqual([]);
    expect(r.stdout).toContain('OTEL_EXPORTER_OTLP_HEADERS (the shell environment) not sent');
  });

  it('legitimate: the endpoint in the same user settings gets them', async () => {
    const sink = await recorder();
    const m = newMachine({ ...telemetrySettings('http/protobuf', sink.url), OTEL_EXPORTER_OTLP_HEADERS: USER_HEADERS });
    write(join(m.root, 'project/.claude/settings.json'), JSON.stringify({ env: { OTEL_RESOURCE_ATTRIBUTES: 'team.id=a' } }));
    const r = await runCliAsync(['probe', ...m.args, ...otlpProbes]);
    expect(r.stderr).toBe('');
    expect(sink.requests.length).toBeGreaterThanOrEqual(2); // the endpoint probe (metrics, logs) and the end-to-end sends
    expect(sink.requests.every((q) => q.headers.authorization === 'Bearer user-secret-9f3c' && q.headers['x-user-key'] === 'user-key-41d7')).toBe(true);
  });
});

describe("Grafana credentials and a scanned repo's compose file", () => {
  // The repo publishes "its Grafana" on the listener, and fills the admin password from a shell variable.
  const compose = (port: number) => `services:
  grafana:
    image: grafana/grafana:11.3.0
    environment:
      GF_SECURITY_ADMIN_USER: \${GF_USER:-admin}
      GF_SECURITY_ADMIN_PASSWORD: \${COD_SHELL_PW}
    ports:
      - "127.0.0.1:${port}:3000"
`;
  const shell = { GRAFANA_TOKEN: 'glsa_shell-token-77aa', COD_SHELL_PW: 'shell-pw-5be0' };

  async function repo() {
    const sink = await recorder();
    const m = newMachine({});
    const dir = join(m.root, 'repo');
    write(join(dir, 'docker-compose.yml'), compose(sink.port));
    write(join(dir, '.env'), 'GF_USER=ops\n');
    return { sink, m, dir };
  }

  it('probe <repo>: neither GRAFANA_TOKEN nor a shell password reaches the Grafana the compose file names', async () => {
    const { sink, dir } = await repo();
    const r = await runCliAsync(['probe', dir, '--select', 'probe/grafana', '--timeout', '2'], shell);
    expect(r.stderr).toBe('');
    expect(sink.requests.map((q) => q.url)).toContain('/api/health'); // it was probed, without credentials
    expect(noSecret(sink)).toBe(true);
  });

  it("probe <repo> --machine: GRAFANA_TOKEN is read for this machine, still not sent to the repo's Grafana", async () => {
    const { sink, m, dir } = await repo();
    const r = await runCliAsync(
      [
        'probe',
        dir,
        '--machine',
        '--home',
        join(m.root, 'home'),
        '--managed-dir',
        join(m.root, 'managed'),
        '--project',
        join(m.root, 'project'),
        '--select',
        'probe/grafana',
        '--timeout',
        '2',
      ],
      shell,
    );
    expect(r.stderr).toBe('');
    expect(sink.requests.length).toBeGreaterThan(0);
    expect(noSecret(sink)).toBe(true);
  });

  it('legitimate: --grafana-url names the Grafana, and GRAFANA_TOKEN goes there', async () => {
    const { sink, dir } = await repo();
    await runCliAsync(['probe', dir, '--select', 'probe/grafana', '--timeout', '2', '--grafana-url', sink.url], shell);
    expect(sink.requests.some((q) => q.headers.authorization === 'Bearer glsa_shell-token-77aa')).toBe(true);
  });

  it("the user's own stack: the password from the .env beside its compose file goes to its loopback port; a shell one does not", async () => {
    const sink = await recorder();
    const own = compose(sink.port).replace('${COD_SHELL_PW}', '${GRAFANA_PW}');
    const m = newMachine({}, { 'docker-compose.yml': own, '.env': 'GF_USER=ops\nGRAFANA_PW=dot-env-pw-31\n' });
    await runCliAsync(['probe', ...m.args, '--select', 'probe/grafana', '--timeout', '2'], { GRAFANA_TOKEN: undefined });
    expect(sink.requests.some((q) => q.headers.authorization === `Basic ${Buffer.from('ops:dot-env-pw-31').toString('base64')}`)).toBe(true);

    const fromShell = await recorder();
    const n = newMachine({}, { 'docker-compose.yml': compose(fromShell.port), '.env': 'GF_USER=ops\n' });
    await runCliAsync(['probe', ...n.args, '--select', 'probe/grafana', '--timeout', '2'], { GRAFANA_TOKEN: undefined, COD_SHELL_PW: 'shell-pw-5be0' });
    expect(fromShell.requests.length).toBeGreaterThan(0);
    expect(noSecret(fromShell)).toBe(true);
  });

  it("compose credentials go only to that compose service's own published port on loopback", () => {
    const plan = (composeText: string, flags: Partial<ProbeFlags>) => {
      const m = newMachine({}, { 'docker-compose.yml': composeText, '.env': 'GF_USER=ops\nGRAFANA_PW=dot-env-pw-31\n' });
      const ws = machineWorkspace(
        { home: join(m.root, 'home'), project: join(m.root, 'project'), managedDir: join(m.root, 'managed'), claudeVersion: '2.1.197' },
        emptyConfig(m.root),
      );
      return planProbes(ws, { timeoutMs: 1000, send: false, ...flags }).grafana;
    };
    const own = compose(3300).replace('${COD_SHELL_PW}', '${GRAFANA_PW}');
    const token = 'glsa_shell-token-77aa';
    expect(plan(own, {}).authorization).toBe(`Basic ${Buffer.from('ops:dot-env-pw-31').toString('base64')}`);
    // Published on another host's address: neither the token nor the password goes there.
    expect(plan(own.replace('127.0.0.1:3300:3000', '203.0.113.7:3300:3000'), { grafanaToken: token })).toMatchObject({
      url: 'http://203.0.113.7:3300',
      authorization: undefined,
      tokenWithheld: expect.stringContaining('GRAFANA_TOKEN was not sent'),
    });
    // A Grafana named by a flag gets the token (the flag is the user's), never the compose file's password.
    expect(plan(own, { grafanaToken: token, grafanaUrl: 'http://grafana.example:3000' }).authorization).toBe(`Bearer ${token}`);
    expect(plan(own, { grafanaUrl: 'http://grafana.example:3000' }).authorization).toBeUndefined();
    expect(plan(own, { grafanaUrl: 'http://127.0.0.1:3300' }).authorization).toBeUndefined(); // the flag's Grafana, not the compose service's
  });

  it('a compose .env that links out of the compose folder is not read', () => {
    const m = newMachine({}, { 'docker-compose.yml': compose(3300).replace('${COD_SHELL_PW}', '${GRAFANA_PW}') });
    const outside = join(m.root, 'elsewhere.env');
    writeFileSync(outside, 'GRAFANA_PW=linked-pw-0c1\n');
    symlinkSync(outside, join(m.root, 'home/.claude/telemetry/.env'));
    const ws = machineWorkspace(
      { home: join(m.root, 'home'), project: join(m.root, 'project'), managedDir: join(m.root, 'managed'), claudeVersion: '2.1.197' },
      emptyConfig(m.root),
    );
    const grafana = planProbes(ws, { timeoutMs: 1000, send: false }).grafana;
    expect(grafana.url).toBe('http://127.0.0.1:3300'); // the compose service is the target: only its password is missing
    expect(grafana.authorization ?? '').not.toContain(Buffer.from('admin:linked-pw-0c1').toString('base64'));
    expect(grafana.authorization).toBeUndefined();
  });
});
