// Settings cases run through real Claude Code (2.1.197, 2.1.332 and, for the cases tagged with a version gate, the
// boundary pair of that gate: prediction.test.ts) and through the doctor's prediction for the same version.
// Placeholders: {{HTTP}} / {{GRPC}} are the sinks' base URLs (http://127.0.0.1:PORT),
// {{HTTP_PORT}} / {{GRPC_PORT}} their ports.

export interface ConformanceCase {
  name: string;
  /** The rules whose failing case this is (their findings change what is exported). */
  rules: string[];
  /** The rules fire only on versions below this one (a later Claude Code fixed what they report). */
  rulesUntil?: string;
  /** The version gates (CLAUDE_GATES names in src/model/versions.ts) this case shows: it also runs on each gate's boundary pair. */
  gates?: GateName[];
  home?: Record<string, string>;
  project?: Record<string, string>;
  /** Files of /etc/claude-code (managed-settings.json, managed-settings.d/…); needs a mount namespace. */
  managed?: Record<string, string>;
  shell?: Record<string, string>;
  settingsArg?: string;
  /** Claude Code's answer decides something the arrival lines do not show (counts, intervals): assert it here. */
  extra?: (
    observed: import('../harness/run-claude.js').Observed,
    prediction: import('../../src/model/prediction.js').Prediction,
    debugLog: string,
    version: string,
  ) => void;
  /** Nothing reaches the sinks (asserted: the arrivals are empty). */
  nothingArrives?: boolean;
  /**
   * True findings the case makes besides `rules` (allowed, not required). Any other finding, and a rule of `rules`
   * on a version where it does not apply, is a false finding and fails the case.
   */
  alsoFinds?: string[];
  /**
   * The doctor sees {{HTTP}} / {{GRPC}} at the standard ports 4318 / 4317 (its port rules know only those), Claude
   * Code at the sinks' real ports (arrivals.ts STANDARD_PORTS).
   */
  standardPorts?: boolean;
}

type GateName = (typeof CLAUDE_GATES)[number]['name'];

const settings = (env: Record<string, unknown>, extra: Record<string, unknown> = {}) => `${JSON.stringify({ ...extra, env }, null, 2)}\n`;
const base = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp' };
const httpJson = { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' };
const grpc = { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: '{{GRPC}}' };
const user = (env: Record<string, unknown>, extra?: Record<string, unknown>) => ({ '.claude/settings.json': settings(env, extra) });

/** The metrics reader's interval as Claude Code's debug log states it (`getOtlpReaders: … interval=N`). */
const loggedInterval = (log: string) => Number(/getOtlpReaders:.*?interval=(\d+)/.exec(log)?.[1]);
/** The predicted metrics interval must be the one Claude Code logs. */
const sameInterval: ConformanceCase['extra'] = (_o, p, log) => {
  if (p.signals[0].intervalMs !== loggedInterval(log)) throw new Error(`predicted ${p.signals[0].intervalMs}, Claude Code logged ${loggedInterval(log)}`);
};
/** OTLP/HTTP bodies are chunked (no Content-Length) exactly on the versions CHUNKED_BODIES names. */
const chunkedAsGated: ConformanceCase['extra'] = (o, _p, _log, version) => {
  const http = o.records.filter((r) => r.transport === 'http');
  const chunked = http.filter((r) => r.headerNames.includes('transfer-encoding') && !r.headerNames.includes('content-length')).length;
  const want = sendsChunkedBodies(version) ? http.length : 0;
  if (http.length === 0 || chunked !== want) throw new Error(`${chunked} of ${http.length} OTLP/HTTP requests chunked on ${version}; expected ${want}`);
};

import { type CLAUDE_GATES, sendsChunkedBodies } from '../../src/model/versions.js';

export const CASES: ConformanceCase[] = [
  {
    name: 'healthy http/json in user settings',
    rules: [],
    gates: ['CHUNKED_BODIES.from', 'CHUNKED_BODIES.fixedIn'],
    home: user(httpJson),
    extra: chunkedAsGated,
  },
  { name: 'healthy grpc in user settings', rules: [], home: user(grpc) },
  {
    name: 'healthy http/protobuf from the shell',
    rules: [],
    shell: { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' },
  },
  {
    name: 'env values as JSON numbers and booleans',
    rules: [],
    home: user({ ...httpJson, CLAUDE_CODE_ENABLE_TELEMETRY: 1, OTEL_METRIC_EXPORT_INTERVAL: 1000, OTEL_METRICS_INCLUDE_VERSION: true }),
  },
  {
    name: 'invalid-json: a // comment drops the user file (nothing else configured)',
    rules: ['settings/invalid-json'],
    home: {
      '.claude/settings.json':
        '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1", // on\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "{{HTTP}}"\n  }\n}\n',
    },
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
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    home: user(httpJson),
    project: { '.claude/settings.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/elsewhere' }, { permissions: { allow: 'Bash' } }) },
  },
  { name: 'telemetry-disabled: switch unset', rules: ['settings/telemetry-disabled'], home: user({ ...httpJson, CLAUDE_CODE_ENABLE_TELEMETRY: undefined }) },
  {
    name: 'telemetry-disabled: switch "0" in settings beats "1" in the shell',
    rules: ['settings/telemetry-disabled'],
    home: user({ ...httpJson, CLAUDE_CODE_ENABLE_TELEMETRY: '0' }),
    shell: { CLAUDE_CODE_ENABLE_TELEMETRY: '1' },
  },
  { name: 'missing-metrics-exporter: logs only', rules: ['settings/missing-metrics-exporter'], home: user({ ...httpJson, OTEL_METRICS_EXPORTER: undefined }) },
  { name: 'missing-logs-exporter: metrics only', rules: ['settings/missing-logs-exporter'], home: user({ ...grpc, OTEL_LOGS_EXPORTER: undefined }) },
  {
    name: 'missing-protocol: otlp without protocol',
    rules: ['settings/missing-protocol'],
    gates: ['DEFAULT_PROTOCOL_FROM'],
    standardPorts: true,
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_PROTOCOL: undefined }),
  },
  // From 2.1.323 the default http/protobuf goes to the gRPC port: nothing arrives on either side of the gate.
  {
    name: 'missing-protocol: otlp without protocol to the gRPC port',
    rules: ['settings/missing-protocol'],
    nothingArrives: true,
    gates: ['DEFAULT_PROTOCOL_FROM'],
    standardPorts: true,
    home: user({ ...grpc, OTEL_EXPORTER_OTLP_PROTOCOL: undefined }),
  },
  {
    name: 'missing-protocol: console metrics plus otlp logs without protocol kills both (before 2.1.323)',
    rules: ['settings/missing-protocol'],
    alsoFinds: ['settings/console-exporter'],
    gates: ['DEFAULT_PROTOCOL_FROM'],
    home: user({ ...httpJson, OTEL_METRICS_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: undefined }),
  },
  {
    name: 'per-signal protocols: metrics grpc, logs http/json',
    rules: [],
    home: user({
      ...base,
      OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '{{GRPC}}',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '{{HTTP}}/v1/logs',
    }),
  },
  { name: 'temporality cumulative', rules: [], home: user({ ...httpJson, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative' }) },
  { name: 'temporality bogus falls back to cumulative', rules: [], home: user({ ...grpc, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'bogus' }) },
  {
    name: 'headers: generic and per-signal names are merged',
    rules: [],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer generic,X-A=1', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'X-B=2' }),
  },
  { name: 'precedence: user settings beat the shell', rules: [], home: user(httpJson), shell: { ...grpc } },
  {
    name: 'precedence: project beats user',
    rules: [],
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    home: user(grpc),
    project: { '.claude/settings.json': settings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/project' }) },
  },
  {
    name: 'precedence: local beats project',
    rules: [],
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    home: user(httpJson),
    project: {
      '.claude/settings.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/project' }),
      '.claude/settings.local.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/local' }),
    },
  },
  {
    name: 'precedence: --settings beats local',
    rules: [],
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    home: user(httpJson),
    project: { '.claude/settings.local.json': settings({ OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/local' }) },
    settingsArg: JSON.stringify({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/flag' } }),
  },
  {
    name: 'precedence: ~/.claude.json env is below user settings',
    rules: [],
    home: {
      '.claude.json': JSON.stringify({ env: { ...httpJson, OTEL_LOGS_EXPORTER: 'none' } }),
      '.claude/settings.json': settings({ OTEL_LOGS_EXPORTER: 'otlp' }),
    },
  },
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
    managed: {
      'managed-settings.json': settings(grpc),
      'managed-settings.d/10-otel.json': settings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' }),
    },
  },
  // settings/invalid-exporter
  {
    name: 'invalid-exporter: otlphttp kills every signal',
    rules: ['settings/invalid-exporter'],
    home: user({ ...httpJson, OTEL_METRICS_EXPORTER: 'otlphttp' }),
  },
  { name: 'invalid-exporter: OTLP in capitals from the shell', rules: ['settings/invalid-exporter'], shell: { ...httpJson, OTEL_LOGS_EXPORTER: 'OTLP' } },
  { name: 'invalid-exporter: prometheus for logs', rules: ['settings/invalid-exporter'], home: user({ ...httpJson, OTEL_LOGS_EXPORTER: 'prometheus' }) },
  {
    name: 'invalid-exporter: zipkin traces under the beta flag',
    rules: ['settings/invalid-exporter'],
    home: user({ ...httpJson, CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'zipkin' }),
  },
  {
    name: 'zipkin traces without the beta flag are ignored',
    rules: ['settings/traces-not-sent'],
    home: user({ ...httpJson, OTEL_TRACES_EXPORTER: 'zipkin' }),
  },
  {
    name: 'traces under the beta flag arrive at /v1/traces',
    rules: [],
    home: user({ ...httpJson, ENABLE_ENHANCED_TELEMETRY_BETA: 'true', OTEL_TRACES_EXPORTER: 'otlp' }),
  },
  // settings/traces-not-sent: the beta flag decides whether OTEL_TRACES_EXPORTER is read at all
  {
    name: 'traces-not-sent: OTEL_TRACES_EXPORTER=otlp without the beta flag sends no span',
    rules: ['settings/traces-not-sent'],
    home: user({ ...httpJson, OTEL_TRACES_EXPORTER: 'otlp' }),
  },
  {
    name: 'traces-not-sent: OTEL_TRACES_EXPORTER=otlp from the shell, no flag, sends no span',
    rules: ['settings/traces-not-sent'],
    home: user(httpJson),
    shell: { OTEL_TRACES_EXPORTER: 'otlp' },
  },
  {
    name: 'traces: the flag from the shell and OTEL_TRACES_EXPORTER in settings send spans',
    rules: [],
    home: user({ ...httpJson, OTEL_TRACES_EXPORTER: 'otlp' }),
    shell: { CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1' },
  },
  {
    name: 'traces-not-sent: a traces endpoint and protocol without exporter or flag send no span',
    rules: ['settings/traces-not-sent'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '{{HTTP}}/v1/traces', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }),
  },
  {
    name: 'traces: CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1 sends spans',
    rules: [],
    home: user({ ...httpJson, CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp' }),
  },
  {
    name: 'traces: CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=true sends spans',
    rules: [],
    home: user({ ...httpJson, CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: 'true', OTEL_TRACES_EXPORTER: 'otlp' }),
  },
  {
    name: 'traces: ENABLE_ENHANCED_TELEMETRY_BETA=1 sends spans',
    rules: [],
    home: user({ ...httpJson, ENABLE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp' }),
  },
  {
    name: 'traces: the beta flag without OTEL_TRACES_EXPORTER sends no span',
    rules: ['settings/traces-not-sent'],
    home: user({ ...httpJson, CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }),
  },
  {
    name: 'exporter lists: "otlp, console" and "none,otlp"',
    rules: ['settings/console-exporter'],
    home: user({ ...httpJson, OTEL_METRICS_EXPORTER: 'otlp, console', OTEL_LOGS_EXPORTER: 'none,otlp' }),
  },
  // settings/invalid-protocol
  { name: 'invalid-protocol: http', rules: ['settings/invalid-protocol'], home: user({ ...httpJson, OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }) },
  {
    name: 'invalid-protocol: HTTP/JSON per signal kills metrics too',
    rules: ['settings/invalid-protocol'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'HTTP/JSON' }),
  },
  {
    name: 'invalid-protocol: an unused generic gRPC under valid per-signal protocols',
    rules: ['settings/invalid-protocol'],
    home: user({
      ...httpJson,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'gRPC',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
    }),
  },
  // settings/protocol-port-mismatch (the sinks speak one transport each, like a collector's two ports; the doctor
  // sees them at 4318 / 4317 and must itself say that these exports cannot arrive)
  {
    name: 'protocol-port-mismatch: grpc to the HTTP port',
    rules: ['settings/protocol-port-mismatch'],
    nothingArrives: true,
    standardPorts: true,
    home: user({ ...grpc, OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}' }),
  },
  {
    name: 'protocol-port-mismatch: http/protobuf to the gRPC port',
    rules: ['settings/protocol-port-mismatch'],
    nothingArrives: true,
    standardPorts: true,
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: '{{GRPC}}' }),
  },
  // settings/invalid-endpoint
  {
    name: 'invalid-endpoint: generic endpoint ending in /v1/metrics doubles the path',
    rules: ['settings/invalid-endpoint'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/v1/metrics' }),
  },
  // Over gRPC the URL path is not used (the service path is fixed), so the same endpoint is harmless there.
  {
    name: 'grpc: a generic endpoint ending in /v1/metrics still reaches the gRPC services',
    rules: [],
    home: user({ ...grpc, OTEL_EXPORTER_OTLP_ENDPOINT: '{{GRPC}}/v1/metrics' }),
  },
  {
    name: 'invalid-endpoint: per-signal endpoint without its path posts to /',
    rules: ['settings/invalid-endpoint'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '{{HTTP}}', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '{{HTTP}}/v1/logs' }),
  },
  {
    name: 'invalid-endpoint: per-signal metrics endpoint with the logs path',
    rules: ['settings/invalid-endpoint'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '{{HTTP}}/v1/logs' }),
  },
  {
    name: 'invalid-endpoint: no scheme over http falls back to localhost:4318',
    rules: ['settings/invalid-endpoint'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:{{HTTP_PORT}}' }),
  },
  {
    name: 'invalid-endpoint: no scheme over grpc attempts TLS',
    rules: ['settings/invalid-endpoint'],
    home: user({ ...grpc, OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:{{GRPC_PORT}}' }),
  },
  // settings/invalid-headers
  {
    name: 'invalid-headers: literal quotes make every export fail',
    rules: ['settings/invalid-headers'],
    shell: { ...httpJson, OTEL_EXPORTER_OTLP_HEADERS: '"Authorization=Bearer abc"' },
  },
  {
    name: 'invalid-headers: %20 is sent verbatim over http',
    rules: ['settings/invalid-headers'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc' }),
    extra: (o) => {
      const m = o.signals.find((s) => s.signal === 'metrics');
      if (m?.headerValues.get('authorization') !== 'Bearer%20abc') throw new Error('authorization was decoded');
    },
  },
  {
    name: 'invalid-headers: generic value wins over the per-signal one over http',
    rules: ['settings/invalid-headers'],
    home: user({
      ...httpJson,
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer generic',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'Authorization=Bearer metricsonly',
    }),
    extra: (o) => {
      const m = o.signals.find((s) => s.signal === 'metrics');
      if (m?.headerValues.get('authorization') !== 'Bearer generic') throw new Error('per-signal value won');
    },
  },
  {
    name: 'invalid-headers: the colon form',
    rules: ['settings/invalid-headers'],
    home: user({ ...httpJson, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization: Bearer abc,X-Team=a' }),
  },
  // settings/headers-helper-grpc
  {
    name: 'headers-helper-grpc: the helper is ignored over grpc',
    rules: ['settings/headers-helper-grpc'],
    home: user(grpc, { otelHeadersHelper: `echo '{"X-Helper":"yes"}'` }),
  },
  // settings/invalid-interval: 10s is read as 10 ms, so a short run exports many times
  {
    name: 'invalid-interval: 10s is read as 10 ms',
    rules: ['settings/invalid-interval'],
    gates: ['INTERVAL_NUMBER_FROM'],
    home: user({ ...httpJson, OTEL_METRIC_EXPORT_INTERVAL: '10s' }),
    extra: (o, p, log, v) => {
      if (p.signals[0].intervalMs !== 10) throw new Error(`predicted ${p.signals[0].intervalMs}`);
      sameInterval(o, p, log, v);
    },
  },
  {
    name: 'invalid-interval: "1e4" is read as 1 ms before 2.1.211, as 10000 from it',
    rules: ['settings/invalid-interval'],
    rulesUntil: '2.1.211',
    gates: ['INTERVAL_NUMBER_FROM'],
    home: user({ ...httpJson, OTEL_METRIC_EXPORT_INTERVAL: '1e4' }),
    extra: sameInterval,
  },
  {
    name: 'invalid-interval: "5,000" is read as 5 ms before 2.1.211, as 5000 from it',
    rules: ['settings/invalid-interval'],
    rulesUntil: '2.1.211',
    gates: ['INTERVAL_NUMBER_FROM'],
    home: user({ ...httpJson, OTEL_METRIC_EXPORT_INTERVAL: '5,000' }),
    extra: sameInterval,
  },
  {
    name: 'invalid-interval: "1.5e0" is read as 1 ms before 2.1.211, not whole (the default) from it',
    rules: ['settings/invalid-interval'],
    gates: ['INTERVAL_NUMBER_FROM'],
    home: user({ ...httpJson, OTEL_METRIC_EXPORT_INTERVAL: '1.5e0' }),
    extra: sameInterval,
  },
  {
    name: 'interval as a JSON number',
    rules: [],
    home: user({ ...httpJson, OTEL_METRIC_EXPORT_INTERVAL: 30000 }),
    extra: (_o, p, log) => {
      if (p.signals[0].intervalMs !== 30000 || loggedInterval(log) !== 30000)
        throw new Error(`predicted ${p.signals[0].intervalMs}, Claude Code logged ${loggedInterval(log)}`);
    },
  },
  {
    name: 'interval 60000ms is read as 60000: one export at exit',
    rules: [],
    gates: ['INTERVAL_NUMBER_FROM'],
    home: user({ ...httpJson, OTEL_METRIC_EXPORT_INTERVAL: '60000ms' }),
    extra: (_o, p, log) => {
      if (p.signals[0].intervalMs !== 60000 || loggedInterval(log) !== 60000)
        throw new Error(`predicted ${p.signals[0].intervalMs}, Claude Code logged ${loggedInterval(log)}`);
    },
  },
  // settings/invalid-resource-attributes (resources compared on every http/json case)
  {
    name: 'invalid-resource-attributes: a space inside a value drops every attribute (before 2.1.251)',
    rules: ['settings/invalid-resource-attributes'],
    gates: ['RESOURCE_SPACE_KEPT_FROM'],
    home: user({ ...httpJson, OTEL_RESOURCE_ATTRIBUTES: 'team.id=platform,org.name=My Company' }),
  },
  {
    name: 'resource attributes: a space after a comma is trimmed, nothing is dropped',
    rules: [],
    home: user({ ...httpJson, OTEL_RESOURCE_ATTRIBUTES: 'team.id=platform, deployment.environment=dev' }),
  },
  {
    name: 'resource attributes: %20 in a value arrives decoded',
    rules: [],
    home: user({ ...httpJson, OTEL_RESOURCE_ATTRIBUTES: 'team.id=platform,org.name=My%20Company' }),
  },
  {
    name: 'invalid-resource-attributes: service.name replaces claude-code',
    rules: ['settings/invalid-resource-attributes'],
    home: user({ ...httpJson, OTEL_RESOURCE_ATTRIBUTES: 'team.id=platform,service.name=myclaude' }),
  },
  {
    name: 'invalid-resource-attributes: OTEL_SERVICE_NAME replaces claude-code',
    rules: ['settings/invalid-resource-attributes'],
    home: user({ ...httpJson, OTEL_SERVICE_NAME: 'svc-override' }),
  },
  // settings/managed-endpoint-override (E29): logs leave the managed endpoint but carry the managed credential
  {
    name: 'managed-endpoint-override: a user per-signal endpoint takes logs away from the managed endpoint',
    rules: ['settings/managed-endpoint-override'],
    rulesUntil: '2.1.217',
    gates: ['MANAGED_LOCK_FROM'],
    managed: {
      'managed-settings.json': settings({
        ...httpJson,
        OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}/managed',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer mgd-cred-4821',
      }),
    },
    home: user({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '{{HTTP}}/user/v1/logs' }),
  },
  // settings/unread-file
  {
    name: 'unread-file: ~/.claude/settings.local.json is never read',
    rules: ['settings/unread-file'],
    home: { '.claude/settings.local.json': settings(httpJson) },
  },
  { name: 'unread-file: settings.jsonc is never read', rules: ['settings/unread-file'], home: { '.claude/settings.jsonc': settings(httpJson) } },
  // settings/unknown-variable
  {
    name: 'unknown-variable: OTEL_METRIC_EXPORTER is not OTEL_METRICS_EXPORTER',
    rules: ['settings/unknown-variable', 'settings/missing-metrics-exporter'],
    home: user({ ...httpJson, OTEL_METRICS_EXPORTER: undefined, OTEL_METRIC_EXPORTER: 'otlp' }),
  },
  {
    name: 'unknown-variable: OLTP_ exporters from the shell',
    rules: ['settings/unknown-variable'],
    alsoFinds: ['settings/missing-metrics-exporter', 'settings/missing-logs-exporter'],
    shell: {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OLTP_METRICS_EXPORTER: 'otlp',
      OLTP_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: '{{HTTP}}',
    },
  },
  {
    name: 'unknown-variable: a "telemetry" block does nothing',
    rules: ['settings/unknown-variable'],
    home: { '.claude/settings.json': JSON.stringify({ telemetry: { enabled: true, exporter: 'otlp', protocol: 'http/json', endpoint: '{{HTTP}}' } }) },
  },
  // settings/shadowed-variable
  {
    name: 'shadowed-variable: settings "none" beats a shell "otlp"',
    rules: ['settings/shadowed-variable'],
    home: user({ ...httpJson, OTEL_METRICS_EXPORTER: 'none' }),
    shell: { OTEL_METRICS_EXPORTER: 'otlp' },
  },
  // settings/project-scope-telemetry: before 2.1.282 project files still configure telemetry in -p mode
  {
    name: 'project-scope-telemetry: project settings alone configure telemetry (before 2.1.282)',
    rules: ['settings/project-scope-telemetry'],
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    project: { '.claude/settings.json': settings(httpJson) },
  },
  {
    name: 'project CLAUDE_CODE_ENABLE_TELEMETRY=0 turns user telemetry off before 2.1.282, is ignored from it',
    rules: ['settings/telemetry-disabled'],
    rulesUntil: '2.1.282',
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    home: user(httpJson),
    project: { '.claude/settings.json': settings({ CLAUDE_CODE_ENABLE_TELEMETRY: '0' }) },
  },
  {
    name: 'project OTEL_METRICS_EXPORTER=none and OTEL_RESOURCE_ATTRIBUTES still apply',
    rules: [],
    gates: ['PROJECT_TELEMETRY_IGNORED_FROM'],
    home: user(httpJson),
    project: { '.claude/settings.json': settings({ OTEL_METRICS_EXPORTER: 'none', OTEL_RESOURCE_ATTRIBUTES: 'team.id=from-project' }) },
  },
  // CLAUDE_CONFIG_DIR moves the user settings
  { name: 'CLAUDE_CONFIG_DIR moves user settings', rules: [], home: { 'cfg/settings.json': settings(httpJson) }, shell: { CLAUDE_CONFIG_DIR: '{{HOME}}/cfg' } },
];
