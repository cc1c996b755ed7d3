// Group B (advisory) settings rules: messages, hints and fixes, through the public workspace builders.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { RULES_BY_ID } from '../../src/rules/index.js';
import type { TextEdit } from '../../src/types.js';
import { fileWorkspaces, machineWorkspace } from '../../src/workspaces.js';
import { findingsOf } from '../helpers/setup-workspace.js';

const root = mkdtempSync(join(tmpdir(), 'cod-advisory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

interface Setup {
  home?: Record<string, unknown>;
  homeFiles?: Record<string, string>;
  project?: Record<string, unknown>;
  local?: Record<string, unknown>;
  managed?: Record<string, unknown>;
  shell?: string;
  version?: string;
}

const settings = (env: Record<string, unknown>, extra: Record<string, unknown> = {}) => `${JSON.stringify({ ...extra, env }, null, 2)}\n`;
const healthy = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
};

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function machine(s: Setup) {
  const dir = join(root, `m${counter++}`);
  if (s.home) write(join(dir, 'home/.claude/settings.json'), settings(s.home));
  for (const [rel, text] of Object.entries(s.homeFiles ?? {})) write(join(dir, 'home', rel), text);
  if (s.project) write(join(dir, 'project/.claude/settings.json'), settings(s.project));
  if (s.local) write(join(dir, 'project/.claude/settings.local.json'), settings(s.local));
  if (s.managed) write(join(dir, 'managed/managed-settings.json'), settings(s.managed));
  write(join(dir, 'shell.env'), s.shell ?? '');
  const ws = machineWorkspace(
    {
      home: join(dir, 'home'),
      project: join(dir, 'project'),
      managedDir: join(dir, 'managed'),
      envFile: join(dir, 'shell.env'),
      claudeVersion: s.version ?? '2.1.197',
    },
    emptyConfig(dir),
  );
  return { dir, ws };
}

function run(ruleId: string, s: Setup) {
  const { dir, ws } = machine(s);
  return { dir, findings: findingsOf(RULES_BY_ID.get(ruleId)!, ws) };
}

function applyEdits(edits: TextEdit[]): string {
  const file = edits[0].file;
  let text = readFileSync(file, 'utf8');
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) text = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.length);
  return text;
}

describe('settings/unknown-variable', () => {
  it('names the variable, where it is, the intended name, and renames it safely', () => {
    const { findings } = run('settings/unknown-variable', { home: { ...healthy, OTEL_METRICS_EXPORT_INTERVAL: '10000' } });
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f.message).toMatch(/^OTEL_METRICS_EXPORT_INTERVAL is no Claude Code or OpenTelemetry SDK variable/);
    expect(f.message).toContain('did you mean OTEL_METRIC_EXPORT_INTERVAL?');
    expect(f.detail).toMatch(/^set in .*settings\.json; OTEL_METRIC_EXPORT_INTERVAL is not set anywhere$/);
    expect(f.fix?.safety).toBe('safe');
    expect(JSON.parse(applyEdits(f.fix!.edits)).env).toMatchObject({ OTEL_METRIC_EXPORT_INTERVAL: '10000' });
  });

  it('does not rename when the intended name is already set, and says where', () => {
    const { findings } = run('settings/unknown-variable', { home: { ...healthy, OTEL_METRIC_EXPORTER: 'console' } });
    expect(findings[0].fix).toBeUndefined();
    expect(findings[0].hint).toMatch(/^remove this entry: OTEL_METRICS_EXPORTER is already set in .*settings\.json/);
  });

  it('renames OLTP_ names in an env file', () => {
    const { findings } = run('settings/unknown-variable', { shell: 'export CLAUDE_CODE_ENABLE_TELEMETRY=1\nexport OLTP_METRICS_EXPORTER=otlp\n' });
    expect(findings[0].message).toContain('starts with OLTP_ instead of OTEL_');
    expect(applyEdits(findings[0].fix!.edits)).toBe('export CLAUDE_CODE_ENABLE_TELEMETRY=1\nexport OTEL_METRICS_EXPORTER=otlp\n');
  });

  it('reports a "telemetry" block at its key', () => {
    const { dir } = machine({});
    write(join(dir, 'home/.claude/settings.json'), '{\n  "telemetry": { "enabled": true }\n}\n');
    const ws = machineWorkspace({ home: join(dir, 'home'), managedDir: join(dir, 'none'), claudeVersion: '2.1.197' }, emptyConfig(dir));
    const [f] = findingsOf(RULES_BY_ID.get('settings/unknown-variable')!, ws);
    expect(f.range?.start).toEqual({ line: 2, column: 3 });
    expect(f.path).toBe('/telemetry');
    expect(f.message).toMatch(/^"telemetry" is not a Claude Code setting/);
    expect(f.detail).toMatch(/^in .*settings\.json$/);
  });
});

describe('settings/shadowed-variable', () => {
  it('says which value wins and why, for a shell export under a settings value', () => {
    const { findings } = run('settings/shadowed-variable', {
      home: { ...healthy, OTEL_METRICS_EXPORTER: 'none' },
      shell: 'export OTEL_METRICS_EXPORTER=console\n',
    });
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/^OTEL_METRICS_EXPORTER in .*shell\.env has no effect: .*settings\.json sets none$/);
    expect(findings[0].detail).toBe("OTEL_METRICS_EXPORTER=console: a settings file's env overwrites the variable exported in the shell");
  });

  it('never prints header or secret values', () => {
    const { findings } = run('settings/shadowed-variable', {
      home: { ...healthy, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer settings-token-123', ANTHROPIC_API_KEY: 'sk-ant-one-1234567' },
      shell: 'export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer shell-token-456"\nexport ANTHROPIC_API_KEY=sk-ant-two-7654321\n',
    });
    expect(findings).toHaveLength(2);
    for (const f of findings) {
      expect(f.message).toContain('a different value');
      expect(`${f.message} ${f.detail} ${f.hint}`).not.toMatch(/token-|sk-ant/);
    }
  });

  it('explains precedence between files and a dropped file', () => {
    const local = run('settings/shadowed-variable', { home: healthy, local: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:14317' } });
    // Local wins over user: the user value is reported.
    expect(local.findings[0].message).toMatch(
      /^OTEL_EXPORTER_OTLP_ENDPOINT in user settings\.json has no effect: .*settings\.local\.json sets http:\/\/localhost:14317$/,
    );
    expect(local.findings[0].detail).toMatch(
      /^OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/localhost:4317: \.claude\/settings\.local\.json takes precedence over user settings/,
    );
  });

  it('stays silent for values Claude Code reads the same way', () => {
    const { findings } = run('settings/shadowed-variable', {
      home: healthy,
      shell: 'export CLAUDE_CODE_ENABLE_TELEMETRY=TRUE\nexport OTEL_LOGS_EXPORTER=" otlp , none"\n',
    });
    expect(findings).toEqual([]);
  });
});

describe('settings/project-scope-telemetry', () => {
  const project = { ...healthy, OTEL_RESOURCE_ATTRIBUTES: 'team.id=payments' };

  it('on 2.1.197 warns about the upgrade', () => {
    const { findings } = run('settings/project-scope-telemetry', { project });
    expect(findings).toHaveLength(1);
    expect(findings[0].detail).toContain('Claude Code 2.1.197 applies them');
    expect(findings[0].message).toContain('2.1.282 and later ignore telemetry settings in project settings: after an upgrade nothing is exported');
    expect(`${findings[0].message} ${findings[0].detail}`).not.toContain('OTEL_RESOURCE_ATTRIBUTES');
  });

  it('on 2.1.283 says they are already ignored', () => {
    const { findings } = run('settings/project-scope-telemetry', { project, version: '2.1.283' });
    expect(findings[0].detail).toContain('but Claude Code 2.1.283 ignores these in project settings');
    expect(findings[0].message).toMatch(/: nothing is exported$/);
  });

  it('destination only: exports fall back', () => {
    const { findings } = run('settings/project-scope-telemetry', {
      home: { ...healthy, OTEL_EXPORTER_OTLP_ENDPOINT: undefined },
      project: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.example.com:4317' },
    });
    expect(findings[0].detail).toContain('tries to choose its destination (OTEL_EXPORTER_OTLP_ENDPOINT)');
    expect(findings[0].message).toContain('exports go to the user-level or default destination instead');
  });

  it('allows turning things off from a project, and values also set by the user', () => {
    const { findings } = run('settings/project-scope-telemetry', {
      home: healthy,
      project: { OTEL_LOGS_EXPORTER: 'none', OTEL_LOG_USER_PROMPTS: '0', CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRIC_EXPORT_INTERVAL: '5000' },
    });
    expect(findings).toEqual([]);
  });
});

describe('settings/sensitive-logging', () => {
  it('reports each content switch that is on, only with telemetry on', () => {
    const on = run('settings/sensitive-logging', {
      home: { ...healthy, OTEL_LOG_USER_PROMPTS: 'yes', OTEL_LOG_RAW_API_BODIES: 'file:/tmp/bodies', OTEL_LOG_ASSISTANT_RESPONSES: '0' },
    });
    expect(on.findings.map((f) => f.message.split(' ')[0])).toEqual(['OTEL_LOG_USER_PROMPTS=yes', 'OTEL_LOG_RAW_API_BODIES=file:/tmp/bodies']);
    expect(`${on.findings[0].message} ${on.findings[0].detail}`).not.toContain('answers'); // OTEL_LOG_ASSISTANT_RESPONSES=0 keeps them out
    expect(on.findings[0].detail).toContain('the events go to http://localhost:4317');
    const off = run('settings/sensitive-logging', { home: { OTEL_LOG_USER_PROMPTS: '1' } });
    expect(off.findings).toEqual([]);
  });

  it('OTEL_LOG_TOOL_CONTENT counts only with spans on', () => {
    const beta = { ...healthy, CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp', OTEL_LOG_TOOL_CONTENT: '1' };
    expect(run('settings/sensitive-logging', { home: beta }).findings.map((f) => f.message.split(' ')[0])).toEqual(['OTEL_LOG_TOOL_CONTENT=1']);
  });
});

describe('settings/secret-in-shared-file', () => {
  it('reports credentials in project settings without their value', () => {
    const { findings } = run('settings/secret-in-shared-file', {
      home: healthy,
      project: {
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer abc123def,X-Scope-OrgID=team-a,x-honeycomb-team=hcxik_01abcdef',
        GITHUB_TOKEN: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      },
    });
    expect(findings.map((f) => f.message.split(' in ')[0])).toEqual(['OTEL_EXPORTER_OTLP_HEADERS carries a credential', 'GITHUB_TOKEN holds a literal secret']);
    expect(findings[0].detail).toMatch(/^Authorization=Bearer \*\*\*\*, x-honeycomb-team=\*\*\*\* in /);
    for (const f of findings) expect(`${f.message} ${f.detail} ${f.hint}`).not.toMatch(/abc123|hcxik|ghp_/);
    expect(findings[0].hint).toContain('otelHeadersHelper');
  });

  it('ignores placeholders, references, paths, numbers and personal files', () => {
    const { findings } = run('settings/secret-in-shared-file', {
      project: {
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer ${OTEL_TOKEN}',
        ANTHROPIC_API_KEY: '<your-api-key>',
        CLAUDE_CODE_CLIENT_KEY: '/etc/ssl/private/claude.key',
        CLAUDE_CODE_API_KEY_HELPER_TTL_MS: '3600000',
      },
      local: { ANTHROPIC_API_KEY: 'sk-ant-api03-realkey-0123456789' },
    });
    expect(findings).toEqual([]);
  });

  it('in CI mode any settings file except settings.local.json is shared', () => {
    const dir = join(root, 'ci');
    write(join(dir, 'templates/claude-settings.json'), settings({ ...healthy, OTEL_EXPORTER_OTLP_HEADERS: 'api-key=0123456789abcdef' }));
    write(join(dir, 'repo/.claude/settings.local.json'), settings({ ANTHROPIC_API_KEY: 'sk-ant-api03-realkey-0123456789' }));
    const { workspaces } = fileWorkspaces([dir], emptyConfig(dir), '2.1.197');
    const found = workspaces.flatMap((ws) => findingsOf(RULES_BY_ID.get('settings/secret-in-shared-file')!, ws));
    expect(found.map((f) => f.file?.slice(dir.length + 1))).toEqual(['templates/claude-settings.json']);
    expect(found[0].detail).toContain('api-key=****');
  });
});

describe('settings/insecure-endpoint', () => {
  const headers = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer 0123456789' };

  it('warns for a remote http endpoint with credentials, once per endpoint variable', () => {
    const { findings } = run('settings/insecure-endpoint', { home: { ...healthy, ...headers, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.0.4.12:4318' } });
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe(RULES_BY_ID.get('settings/insecure-endpoint')!.severity); // the rule's own, not re-graded
    expect(findings[0].message).toMatch(/^metrics and logs go over plain http with the authorization header/);
    expect(findings[0].detail).toMatch(
      /^metrics and logs go to http:\/\/10\.0\.4\.12:4318 \(OTEL_EXPORTER_OTLP_ENDPOINT in .*\) over plain http with the authorization header/,
    );
    expect(`${findings[0].message} ${findings[0].detail}`).not.toContain('0123456789');
  });

  it('is silent for loopback, the Docker host, https, and endpoints without credentials', () => {
    for (const endpoint of [
      'http://localhost:4318',
      'http://127.0.0.2:4318',
      'http://[::1]:4318',
      'http://host.docker.internal:4318',
      'https://otel.example.com',
    ]) {
      expect(run('settings/insecure-endpoint', { home: { ...healthy, ...headers, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } }).findings, endpoint).toEqual([]);
    }
    const noCreds = run('settings/insecure-endpoint', {
      home: {
        ...healthy,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.example.com:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Scope-OrgID=a',
      },
    });
    expect(noCreds.findings).toEqual([]);
  });

  it('a per-signal endpoint is its own finding; a compose service name is info', () => {
    const { findings } = run('settings/insecure-endpoint', {
      home: {
        ...healthy,
        ...headers,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs.example.com/v1/logs',
      },
    });
    expect(findings.map((f) => [f.severity ?? 'warning', f.message.split(' go over ')[0]])).toEqual([
      ['info', 'metrics'],
      ['warning', 'logs'],
    ]);
  });
});

describe('settings/console-exporter', () => {
  it('offers an unsafe fix that removes console', () => {
    const { findings } = run('settings/console-exporter', { home: { ...healthy, OTEL_METRICS_EXPORTER: 'console, otlp', OTEL_LOGS_EXPORTER: 'console' } });
    expect(findings.map((f) => f.fix?.safety)).toEqual(['unsafe', 'unsafe']);
    expect(JSON.parse(applyEdits(findings[0].fix!.edits)).env.OTEL_METRICS_EXPORTER).toBe('otlp');
    expect(JSON.parse(applyEdits(findings[1].fix!.edits)).env.OTEL_LOGS_EXPORTER).toBe('none');
  });

  it('is silent when telemetry is off, init fails, or traces are not read', () => {
    expect(run('settings/console-exporter', { home: { OTEL_METRICS_EXPORTER: 'console' } }).findings).toEqual([]);
    expect(
      run('settings/console-exporter', { home: { ...healthy, OTEL_METRICS_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: undefined } }).findings,
    ).toEqual([]);
    expect(run('settings/console-exporter', { home: { ...healthy, OTEL_TRACES_EXPORTER: 'console' } }).findings).toEqual([]);
  });
});

describe('settings/unread-file', () => {
  it('lists what the unread file holds and what is missing because of it', () => {
    const { findings } = run('settings/unread-file', {
      home: { OTEL_RESOURCE_ATTRIBUTES: 'team.id=a' },
      homeFiles: { '.claude/settings.local.json': settings({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_RESOURCE_ATTRIBUTES: 'team.id=b' }) },
    });
    expect(findings).toHaveLength(1);
    expect(findings[0].detail).toContain('holds settings (env CLAUDE_CODE_ENABLE_TELEMETRY, OTEL_RESOURCE_ATTRIBUTES)');
    expect(findings[0].message).toContain('CLAUDE_CODE_ENABLE_TELEMETRY is not set anywhere Claude Code reads');
    expect(findings[0].range?.start).toEqual({ line: 2, column: 3 });
  });

  it('suggests merging a settings.jsonc into the settings.json beside it', () => {
    const { findings } = run('settings/unread-file', { home: healthy, homeFiles: { '.claude/settings.jsonc': '{\n  // on\n  "model": "opus"\n}\n' } });
    expect(findings[0].detail).toContain('holds settings (model)');
    expect(findings[0].hint).toMatch(/^merge its entries into settings\.json beside it/);
  });

  it('points at the first key of a file without env, not at the start of the file', () => {
    const { findings } = run('settings/unread-file', { home: healthy, homeFiles: { '.claude/settings.jsonc': '{\n  // on\n  "model": "opus"\n}\n' } });
    expect(findings.map((f) => [f.range?.start, f.path])).toEqual([[{ line: 3, column: 3 }, '/model']]);
  });
});

describe('URLs in settings messages are masked alike (util/secrets.ts displayUrl)', () => {
  const endpoint = 'https://user:pw@otel.example.com/otlp?api-key=abc';
  it('shadowed-variable and sensitive-logging hide user info and the query string', () => {
    const shadowed = run('settings/shadowed-variable', { home: healthy, local: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
    expect(shadowed.findings[0].message).toContain('settings.local.json sets "https://****@otel.example.com/otlp?****"');
    const logging = run('settings/sensitive-logging', {
      home: { ...healthy, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_LOG_USER_PROMPTS: '1' },
    });
    expect(logging.findings[0].detail).toContain('the events go to https://****@otel.example.com/otlp?****');
    for (const f of [...shadowed.findings, ...logging.findings]) expect(`${f.message} ${f.detail}`).not.toMatch(/pw|abc/);
  });
});

describe('mergeEnvironment: project destination on newer versions (fix found while writing project-scope-telemetry)', () => {
  it('ignores a project endpoint, header and telemetry switch (even "0") from 2.1.282, but not on 2.1.281', async () => {
    const { mergeEnvironment } = await import('../../src/model/claude-env.js');
    const at = (version: string) =>
      mergeEnvironment(
        [
          { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel.example.com:4317', origin: { scope: 'project' } },
          { name: 'OTEL_EXPORTER_OTLP_HEADERS', value: 'X-Scope-OrgID=a', origin: { scope: 'project' } },
          { name: 'OTEL_LOG_RAW_API_BODIES', value: 'file:/tmp/bodies', origin: { scope: 'project' } },
          { name: 'OTEL_LOGS_EXPORTER', value: 'none', origin: { scope: 'project' } },
          { name: 'CLAUDE_CODE_ENABLE_TELEMETRY', value: '0', origin: { scope: 'project' } },
        ],
        version,
      );
    expect([...at('2.1.281').keys()].sort()).toEqual([
      'CLAUDE_CODE_ENABLE_TELEMETRY',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_LOGS_EXPORTER',
      'OTEL_LOG_RAW_API_BODIES',
    ]);
    // An exporter set to none still applies; the switch is ignored whatever its value (conformance: project CLAUDE_CODE_ENABLE_TELEMETRY=0 …).
    expect([...at('2.1.282').keys()]).toEqual(['OTEL_LOGS_EXPORTER']);
  });
});
