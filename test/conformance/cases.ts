// Settings cases run through real Claude Code 2.1.197 and through the doctor's prediction.
// Placeholders: {{HTTP}} / {{GRPC}} are the sinks' base URLs (http://127.0.0.1:PORT),
// {{HTTP_PORT}} / {{GRPC_PORT}} their ports.

export interface ConformanceCase {
  name: string;
  /** The rules whose failing case this is (their findings change what is exported). */
  rules: string[];
  home?: Record<string, string>;
  project?: Record<string, string>;
  /** Files of /etc/claude-code (managed-settings.json, managed-settings.d/…); needs a mount namespace. */
  managed?: Record<string, string>;
  shell?: Record<string, string>;
  settingsArg?: string;
}

const settings = (env: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ ...extra, env }, null, 2) + '\n';
const base = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp' };
const httpJson = { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' };
const grpc = { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: '{{GRPC}}' };
const user = (env: Record<string, unknown>, extra?: Record<string, unknown>) => ({ '.claude/settings.json': settings(env, extra) });

export const CASES: ConformanceCase[] = [
  { name: 'healthy http/json in user settings', rules: [], home: user(httpJson) },
  { name: 'healthy grpc in user settings', rules: [], home: user(grpc) },
  { name: 'healthy http/protobuf from the shell', rules: [], shell: { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' } },
  { name: 'env values as JSON numbers and booleans', rules: [], home: user({ ...httpJson, CLAUDE_CODE_ENABLE_TELEMETRY: 1, OTEL_METRIC_EXPORT_INTERVAL: 1000, OTEL_METRICS_INCLUDE_VERSION: true }) },
  {
    name: 'invalid-json: a // comment drops the user file (nothing else configured)',
    rules: ['settings/invalid-json'],
    home: { '.claude/settings.json': '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1", // on\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "{{HTTP}}"\n  }\n}\n' },
  },
  {
    name: 'invalid-json: a trailing comma drops the user file, the shell config applies',
    rules: ['settings/invalid-json'],
    home: { '.claude/settings.json': '{\n  "env": {\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "{{GRPC}}",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n  }\n}\n' },
    shell: httpJson,
  },
  {
    name: 'invalid-schema: "model": 123 drops the user file',
    rules: ['settings/invalid-schema'],
    home: user(httpJson, { model: 123 }),
  },
  {
    name: 'invalid-schema: permissions.allow as a string drops the project file, the user file applies',
    rules: ['settings/invalid-schema'],
    home: user(httpJson),
    project: { '.claude/settings.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/elsewhere' }, { permissions: { allow: 'Bash' } }) },
  },
  { name: 'telemetry-disabled: switch unset', rules: ['settings/telemetry-disabled'], home: user({ ...httpJson, CLAUDE_CODE_ENABLE_TELEMETRY: undefined }) },
  { name: 'telemetry-disabled: switch "0" in settings beats "1" in the shell', rules: ['settings/telemetry-disabled'], home: user({ ...httpJson, CLAUDE_CODE_ENABLE_TELEMETRY: '0' }), shell: { CLAUDE_CODE_ENABLE_TELEMETRY: '1' } },
  { name: 'missing-metrics-exporter: logs only', rules: ['settings/missing-metrics-exporter'], home: user({ ...httpJson, OTEL_METRICS_EXPORTER: undefined }) },
  { name: 'missing-logs-exporter: metrics only', rules: ['settings/missing-logs-exporter'], home: user({ ...grpc, OTEL_LOGS_EXPORTER: undefined }) },
  { name: 'missing-protocol: otlp without protocol', rules: ['settings/missing-protocol'], home: user({ ...httpJson, OTEL_EXPORTER_OTLP_PROTOCOL: undefined }) },
  {
    name: 'missing-protocol: console metrics plus otlp logs without protocol kills both',
    rules: ['settings/missing-protocol'],
    home: user({ ...httpJson, OTEL_METRICS_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: undefined }),
  },
  { name: 'per-signal protocols: metrics grpc, logs http/json', rules: [], home: user({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: undefined, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '{{GRPC}}', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '{{HTTP}}/v1/logs' }) },
  { name: 'temporality cumulative', rules: [], home: user({ ...httpJson, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative' }) },
  { name: 'temporality bogus falls back to cumulative', rules: [], home: user({ ...grpc, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'bogus' }) },
  { name: 'headers: generic and per-signal names are merged', rules: [], home: user({ ...httpJson, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer generic,X-A=1', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'X-B=2' }) },
  { name: 'precedence: user settings beat the shell', rules: [], home: user(httpJson), shell: { ...grpc } },
  { name: 'precedence: project beats user', rules: [], home: user(grpc), project: { '.claude/settings.json': settings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/project' }) } },
  {
    name: 'precedence: local beats project',
    rules: [],
    home: user(httpJson),
    project: {
      '.claude/settings.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/project' }),
      '.claude/settings.local.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/local' }),
    },
  },
  {
    name: 'precedence: --settings beats local',
    rules: [],
    home: user(httpJson),
    project: { '.claude/settings.local.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/local' }) },
    settingsArg: JSON.stringify({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/flag' } }),
  },
  { name: 'precedence: ~/.claude.json env is below user settings', rules: [], home: { '.claude.json': JSON.stringify({ env: { ...httpJson, OTEL_LOGS_EXPORTER: 'none' } }), '.claude/settings.json': settings({ OTEL_LOGS_EXPORTER: 'otlp' }) } },
  { name: 'precedence: ~/.claude.json env alone', rules: [], home: { '.claude.json': JSON.stringify({ env: grpc }) } },
  {
    name: 'managed beats user and shell',
    rules: [],
    managed: { 'managed-settings.json': settings(grpc) },
    home: user({ OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' }),
    shell: { OTEL_LOGS_EXPORTER: 'none' },
  },
  {
    name: 'managed drop-in beats the managed base file',
    rules: [],
    managed: { 'managed-settings.json': settings(grpc), 'managed-settings.d/10-otel.json': settings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' }) },
  },
];
