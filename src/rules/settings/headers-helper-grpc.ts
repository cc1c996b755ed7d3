import { defineRule } from '../define.js';
import { atNode } from '../../model/settings-locate.js';
import { listWords, otlpSignals } from '../../model/otlp-signals.js';

const messages = {
  ignoredOverGrpc: {
    message: (d: { signals: string[] }) => `otelHeadersHelper is never called: ${listWords(d.signals)} are exported over grpc, so its headers are not sent`,
    detail: (d: { file: string; protocolVars: string[] }) =>
      `set in ${d.file}; ${d.protocolVars.map((v) => `${v}=grpc`).join(', ')}, and Claude Code calls the helper for HTTP exports only`,
  },
} as const;

export default defineRule({
  id: 'settings/headers-helper-grpc',
  severity: 'warning',
  title: 'otelHeadersHelper is ignored with grpc',
  checks: 'The otelHeadersHelper setting is in effect while at least one signal exports with otlp over grpc (per-signal or generic protocol).',
  why: "Claude Code adds the helper's headers only to http/json and http/protobuf exports; the gRPC exporter is built without them. Over grpc the credential the helper prints is never sent, so an authenticating receiver rejects every export (silently unless CLAUDE_CODE_OTEL_DIAG_STDERR=1). Static OTEL_EXPORTER_OTLP_HEADERS still apply over grpc.",
  fix: 'none',
  versions: 'all versions (observed on 2.1.197, E30; reported up to 2026 in issues #18000, #35207, #54397, #86814)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "otelHeadersHelper": "/usr/local/bin/otel-token",\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com:4317"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "otelHeadersHelper": "/usr/local/bin/otel-token",\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com:4318"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "headers-helper-grpc: the helper is ignored over grpc"',
    'https://github.com/anthropics/claude-code/issues/18000',
    'https://github.com/anthropics/claude-code/issues/35207',
    'https://github.com/anthropics/claude-code/issues/54397',
    'https://github.com/anthropics/claude-code/issues/86814',
    'https://code.claude.com/docs/en/monitoring-usage (dynamic headers: otelHeadersHelper)',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'OTLP endpoint',
  check(ws) {
    const helper = ws.claude.otelHeadersHelper;
    if (!helper) return [];
    const grpc = otlpSignals(ws.claude.env).filter((s) => s.protocol === 'grpc');
    if (grpc.length === 0) return [];
    return [
      {
        ...atNode(helper.file, helper.node, ['otelHeadersHelper']),
        kind: 'ignoredOverGrpc' as const,
        data: {
          file: helper.file.inline ? '--settings' : helper.file.path,
          signals: grpc.map((s) => s.signal),
          protocolVars: [...new Set(grpc.map((s) => s.protocolVar!.name))],
        },
        hint: 'use http/protobuf (collector port 4318) for the signals that need the helper, or put a static credential in OTEL_EXPORTER_OTLP_HEADERS, which grpc does send',
      },
    ];
  },
});
