import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// A canary secret planted in every place a secret can live; no output format may print it.
const CANARY = 'sk-canary-7f3a9c1d2e';
const root = mkdtempSync(join(tmpdir(), 'cod-secrets-'));
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const env = (e: Record<string, string>, extra = {}) => JSON.stringify({ ...extra, env: e }, null, 2);

write(
  'home/.claude/settings.json',
  env({
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'console',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.example.com:4318/v1/metrics',
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${CANARY},"X-Api-Key=${CANARY}"`,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS: `Authorization: Bearer%20${CANARY}`,
    ANTHROPIC_API_KEY: CANARY,
  }),
);
write('home/.claude.json', env({ OTEL_EXPORTER_OTLP_LOGS_HEADERS: `x-honeycomb-team=${CANARY}` }));
write('home/.claude/settings.local.json', env({ OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Basic ${CANARY}` }));
write('project/.claude/settings.json', env({ OTEL_EXPORTER_OTLP_HEADERS: `api-key=${CANARY}`, MY_SERVICE_TOKEN: CANARY }));
// A broken file whose error line holds the secret: the source line shown under a finding must be masked too.
write('project/.claude/settings.local.json', `{\n  "env": {\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${CANARY}", // prod\n  }\n}\n`);
write('managed/managed-settings.json', env({ OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${CANARY}`, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.corp.example:4318' }));
write('shell.env', `export OTEL_EXPORTER_OTLP_TRACES_HEADERS="Authorization=Bearer ${CANARY}"\nexport CLAUDE_CODE_API_KEY_HELPER_TOKEN=${CANARY}\n`);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = ['--claude-version', '2.1.197', '--home', join(root, 'home'), '--project', join(root, 'project'), '--managed-dir', join(root, 'managed'), '--env-file', join(root, 'shell.env')];
const inline = ['--settings', JSON.stringify({ env: { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${CANARY}` } })];

describe('secrets never reach any output', () => {
  const runs: [string, string[], Record<string, string>][] = [
    ['doctor (pretty)', ['--offline', ...base], {}],
    ['check pretty', ['check', ...base, ...inline], {}],
    ['check json', ['check', '--format', 'json', ...base, ...inline], {}],
    ['check sarif', ['check', '--format', 'sarif', ...base, ...inline], {}],
    ['check github', ['check', '--format', 'github', ...base, ...inline], {}],
    ['check quiet', ['check', '--quiet', ...base, ...inline], {}],
    ['process environment', ['check', '--format', 'json', ...base], { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${CANARY}`, CLAUDE_CODE_ENABLE_TELEMETRY: '1' }],
    ['CI mode', ['check', '--format', 'json', root], {}],
  ];
  for (const [name, args, extraEnv] of runs) {
    it(name, () => {
      const res = runCli(args, extraEnv);
      expect(res.stdout.length + res.stderr.length).toBeGreaterThan(0);
      expect(res.stdout).not.toContain(CANARY);
      expect(res.stderr).not.toContain(CANARY);
      // Not a vacuous pass: the files with the canary were read and reported on.
      if (!name.startsWith('CI')) expect(res.stdout).toMatch(/\*\*\*\*|settings/);
    });
  }
  it('masks the credential but keeps the header name and auth scheme', () => {
    const res = runCli(['check', ...base], { NO_COLOR: '1' });
    expect(res.stdout).toContain('Authorization=Bearer ****');
  });
});
