// `claude-otel-doctor init --enterprise` (Mode 2): managed settings for a central endpoint, a headers helper,
// a rollout guide; checked with the doctor as a machine that gets the managed file would be.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMachine, treeHash, type Machine } from './machine.js';
import { growthQuery } from '../../src/bootstrap/enterprise.js';

let m: Machine;
let out: string;
beforeEach(() => {
  m = newMachine();
  out = join(m.root, 'rollout');
});
afterEach(() => m.cleanup());

const read = (p: string) => readFileSync(p, 'utf8');
const enterprise = (args: string[]) => m.cli(['init', '--enterprise', '--out', out, ...args]);
const managed = () => JSON.parse(read(join(out, 'managed-settings.json')));
/** `check` of a machine whose only settings are these managed ones. */
const checkManaged = (extra: string[] = []) =>
  m.cli(['check', '--managed-dir', out, '--home', m.home, '--project', m.project, '--no-shell-env', '--claude-version', '2.1.197', ...extra]);

function expectOneLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('init --enterprise', () => {
  it('writes managed settings with the endpoint, protocol, attribution and helper; check finds nothing in them', async () => {
    const r = await enterprise([
      '--endpoint',
      'https://otel.example.com:4318',
      '--team',
      'Platform Team',
      '--department',
      'R&D, EU',
      '--cost-center',
      '0042',
      '--headers-helper',
      '/usr/local/bin/otel-headers.sh',
      '--header',
      'X-Scope-OrgID=acme',
    ]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(managed()).toEqual({
      env: {
        CLAUDE_CODE_ENABLE_TELEMETRY: '1',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Scope-OrgID=acme',
        // Spaces and commas encoded (a raw space drops every attribute); the leading zero kept.
        OTEL_RESOURCE_ATTRIBUTES: 'team.id=Platform%20Team,department=R&D%2C%20EU,cost_center=0042',
      },
      otelHeadersHelper: '/usr/local/bin/otel-headers.sh',
    });
    expect(statSync(join(out, 'managed-settings.json')).mode & 0o777).toBe(0o644);

    const check = await checkManaged();
    expect(check.exitCode, check.stdout).toBe(0);
    expect(check.stdout).toContain('no problems found');
    expect(check.stdout).toContain('metrics: otlp http/protobuf → https://otel.example.com:4318/v1/metrics');
    const json = JSON.parse((await checkManaged(['--format', 'json'])).stdout);
    expect(json.findings).toEqual([]);
    expect(json.effective[0].env.OTEL_RESOURCE_ATTRIBUTES.scope).toBe('managed');
    const ci = await m.cli(['check', out]);
    expect(ci.exitCode, ci.stdout).toBe(0);

    const guide = read(join(out, 'ROLLOUT.md'));
    expect(guide).toContain('/etc/claude-code/managed-settings.json');
    expect(guide).toContain('/Library/Application Support/ClaudeCode/managed-settings.json');
    expect(guide).toMatch(/\| `--team` \| `team\.id=Platform%20Team` \| `team_id` \|/);
    // The queries proven on real components (test/pipeline/rollout-queries.test.ts); increase() undercounts.
    expect(guide).toContain(growthQuery('claude_code_cost_usage_USD_total', 'team_id, department, cost_center'));
    expect(guide).toContain(growthQuery('claude_code_token_usage_tokens_total', 'team_id, department, cost_center, type'));
    expect(guide).not.toContain('(increase(claude_code');
    expect(guide).toContain('claude-otel-doctor check .');
  });

  it('infers the protocol from the port (4317: grpc, else http/protobuf); --protocol overrides it', async () => {
    for (const [args, protocol] of [
      [['--endpoint', 'https://otel.example.com:4317'], 'grpc'],
      [['--endpoint', 'https://otel.example.com'], 'http/protobuf'],
      [['--endpoint', 'https://otel.example.com/otlp', '--protocol', 'http/json'], 'http/json'],
    ] as const) {
      const r = await enterprise([...args, '--force']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(managed().env.OTEL_EXPORTER_OTLP_PROTOCOL, args.join(' ')).toBe(protocol);
      expect(managed().otelHeadersHelper).toBeUndefined();
      expect((await checkManaged()).exitCode).toBe(0);
    }
  });

  it('refuses a credential in the endpoint or a header (exit 2), never echoing it and writing nothing', async () => {
    const token = 'glc_s3cr3tT0ken_4f7a';
    const before = treeHash(m.root);
    for (const args of [
      ['--endpoint', `https://user:${token}@otel.example.com:4318`],
      ['--endpoint', `https://otel.example.com:4318?api_key=${token}`],
      ['--endpoint', 'https://otel.example.com:4318', '--header', `Authorization=Bearer ${token}`],
      ['--endpoint', 'https://otel.example.com:4318', '--header', `x-api-key=${token}`],
    ]) {
      const r = await enterprise(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expectOneLine(r.stderr);
      expect(r.stderr).toContain('--headers-helper');
      expect(r.stdout + r.stderr).not.toContain(token);
    }
    expect(existsSync(out)).toBe(false);
    expect(treeHash(m.root)).toBe(before);
  });

  it('the headers helper is executable and prints valid JSON from the token variable or file', async () => {
    expect((await enterprise(['--endpoint', 'https://otel.example.com:4318'])).exitCode).toBe(0);
    const script = join(out, 'otel-headers.sh');
    accessSync(script, constants.X_OK);
    expect(statSync(script).mode & 0o777).toBe(0o755);
    const run = (env: Record<string, string>) => spawnSync(script, [], { encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: m.home, ...env } });

    const direct = run({ CLAUDE_OTEL_TOKEN: 'tok"with\\odd' });
    expect(direct.status, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual({ Authorization: 'Bearer tok"with\\odd' });

    const file = join(m.root, 'token');
    writeFileSync(file, 'from-file-123\n', { mode: 0o600 });
    const fromFile = run({ CLAUDE_OTEL_TOKEN_FILE: file });
    expect(JSON.parse(fromFile.stdout)).toEqual({ Authorization: 'Bearer from-file-123' });

    const none = run({});
    expect(none.status).not.toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('CLAUDE_OTEL_TOKEN');
  });

  it('a rerun changes nothing; a differing file is refused unless --force; --dry-run writes nothing', async () => {
    const args = ['--endpoint', 'https://otel.example.com:4317', '--team', 'platform'];
    const dry = await enterprise([...args, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+    "OTEL_RESOURCE_ATTRIBUTES": "team.id=platform"');
    expect(existsSync(out)).toBe(false);

    expect((await enterprise(args)).exitCode).toBe(0);
    const before = treeHash(m.root);
    const again = await enterprise(args);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('nothing to write');
    expect(treeHash(m.root)).toBe(before);

    const changed = await enterprise(['--endpoint', 'https://otel.example.com:4317', '--team', 'data']);
    expect(changed.exitCode).toBe(2);
    expect(changed.stderr).toContain('managed-settings.json');
    expect(treeHash(m.root)).toBe(before);
    const forced = await enterprise(['--endpoint', 'https://otel.example.com:4317', '--team', 'data', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(managed().env.OTEL_RESOURCE_ATTRIBUTES).toBe('team.id=data');
  });

  it('bad usage exits 2 with one line and writes nothing', async () => {
    const before = treeHash(m.root);
    for (const args of [
      [],
      ['--endpoint', 'otel.example.com:4317'],
      ['--endpoint', 'ftp://otel.example.com'],
      ['--endpoint', 'https://otel.example.com:4318/v1/metrics'],
      ['--endpoint', 'https://otel.example.com:4318', '--protocol', 'http'],
      ['--endpoint', 'https://otel.example.com:4318', '--bogus'],
      ['--endpoint', 'https://otel.example.com:4317', '--headers-helper', '/usr/local/bin/otel-headers.sh'],
      ['--endpoint', 'https://otel.example.com:4318', '--headers-helper', 'otel-headers.sh'],
      ['--endpoint', 'https://otel.example.com:4318', '--protocol', 'grpc'],
      ['--endpoint', 'http://otel.example.com:4318', '--headers-helper', '/usr/local/bin/otel-headers.sh'],
      ['--endpoint', 'https://otel.example.com:4318', '--dir', join(m.root, 'x')],
    ]) {
      const r = await enterprise(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expectOneLine(r.stderr);
    }
    expect(treeHash(m.root)).toBe(before);
  });
});
