import { defineRule, type RuleFinding } from '../define.js';
import { fix, removeEnvEntry } from '../../model/edits.js';
import { parseHeaderList } from '../../model/prediction.js';
import { atLeast, MANAGED_LOCK_FROM } from '../../model/versions.js';
import { atValue, where } from '../../model/settings-locate.js';
import { displayUrl, listWords, otlpSignals, perSignalVar } from '../../model/otlp-signals.js';

const messages = {
  overrides: {
    message: (d: { variable: string; signal: string; managedHeaders: string[] }) =>
      `${d.variable} overrides the managed endpoint: ${d.signal} go elsewhere${d.managedHeaders.length ? ', with the managed headers' : ''}`,
    detail: (d: { variable: string; endpoint: string; where: string; signal: string; version: string; lockedFrom: string; managedHeaders: string[] }) =>
      `${d.variable}=${d.endpoint} ${d.where} overrides the managed OTEL_EXPORTER_OTLP_ENDPOINT: Claude Code ${d.version} (below ${d.lockedFrom}) sends ${d.signal} there instead of to the managed collector${
        d.managedHeaders.length
          ? `, and the managed OTEL_EXPORTER_OTLP_HEADERS (${listWords(d.managedHeaders)}) ${d.managedHeaders.length > 1 ? 'are' : 'is'} sent there too`
          : ''
      }`,
  },
} as const;

export default defineRule({
  id: 'settings/managed-endpoint-override',
  severity: 'warning',
  title: 'Per-signal endpoint escapes the managed OTLP endpoint',
  checks:
    'Below Claude Code 2.1.217: managed settings set OTEL_EXPORTER_OTLP_ENDPOINT, and a user, project, local, --settings or shell value of a per-signal OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT wins for a signal that exports with otlp.',
  why: "Before 2.1.217 every variable follows plain per-key precedence, so a developer's per-signal endpoint takes that signal away from the organisation's collector, and the managed OTEL_EXPORTER_OTLP_HEADERS credential is still sent with it, to the developer's endpoint. The organisation loses the signal and leaks its ingestion credential. From 2.1.217 Claude Code deletes such per-signal variables when managed settings set the endpoint.",
  fix: 'unsafe',
  fixDescription:
    "Removes the per-signal endpoint from the developer's settings (or env file), so the signal goes to the managed endpoint again. Unsafe: the developer may rely on it. Administrators can instead set the per-signal endpoints in managed settings too, or require 2.1.217 or later.",
  versions: 'below 2.1.217 (observed on 2.1.197, E29); from 2.1.217 managed settings lock the OTLP destination',
  bad: {
    file: '/etc/claude-code/managed-settings.json + ~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.corp.example.com",\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer corp-token"\n  }\n}\n---\n{\n  "env": {\n    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://localhost:4318/v1/logs"\n  }\n}\n',
  },
  good: {
    file: '/etc/claude-code/managed-settings.json + ~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.corp.example.com",\n    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer corp-token"\n  }\n}\n---\n{\n  "env": {\n    "OTEL_METRIC_EXPORT_INTERVAL": "60000"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "managed-endpoint-override: a user per-signal endpoint takes logs away from the managed endpoint"',
    'https://github.com/anthropics/claude-code/blob/5cfc0a1905ce0c0a9bd81d8a90fe6b62ff614357/CHANGELOG.md (2.1.217: managed settings lock the OTLP destination)',
    'https://code.claude.com/docs/en/monitoring-usage ("How managed settings lock the OTLP destination", 2.1.240 docs)',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'OTLP endpoint',
  check(ws) {
    const version = ws.claude.version.version;
    if (atLeast(version, MANAGED_LOCK_FROM)) return [];
    const env = ws.claude.env;
    const managed = env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
    if (managed?.origin.scope !== 'managed' || managed.value.trim() === '') return [];
    const headers = env.get('OTEL_EXPORTER_OTLP_HEADERS');
    const credential =
      headers && headers.origin.scope === 'managed'
        ? [
            ...new Set(
              parseHeaderList(headers.value)
                .filter((h) => h.ok && h.name)
                .map((h) => h.name),
            ),
          ]
        : [];
    const findings: RuleFinding<typeof messages>[] = [];
    for (const s of otlpSignals(env)) {
      const per = env.get(perSignalVar('ENDPOINT', s.signal));
      if (!per || per.origin.scope === 'managed' || per.value.trim() === '') continue;
      findings.push({
        ...atValue(per.origin, per.name),
        kind: 'overrides',
        data: {
          variable: per.name,
          endpoint: displayUrl(per.value),
          where: where(per.origin),
          signal: s.signal,
          version,
          lockedFrom: MANAGED_LOCK_FROM,
          managedHeaders: credential,
        },
        hint: `remove ${per.name} so ${s.signal} go to the managed endpoint (unsafe fix); administrators can set ${per.name} in managed settings as well, or require Claude Code ${MANAGED_LOCK_FROM}+, which deletes developer per-signal endpoints`,
        fix: fix('unsafe', `remove ${per.name}`, removeEnvEntry(per.origin, per.name)),
      });
    }
    return findings;
  },
});
