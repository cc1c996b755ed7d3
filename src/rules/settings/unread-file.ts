import { basename, dirname, join } from 'node:path';
import { defineRule } from '../define.js';
import { heldSettings } from '../../model/claude-settings.js';
import { atJsonNode } from '../../model/settings-locate.js';

const messages = {
  unread: {
    message: (d: { envNames: string[]; missing: string[] }) => `Claude Code never reads this settings file: ${consequence(d.envNames, d.missing)}`,
    detail: (d: { file: string; reason: string; envNames: string[]; topKeys: string[] }) =>
      `${d.file} holds settings (${d.envNames.length > 0 ? `env ${list(d.envNames)}` : list(d.topKeys)}), but ${d.reason}`,
  },
} as const;

export default defineRule({
  id: 'settings/unread-file',
  severity: 'warning',
  title: 'Settings in a file Claude Code never reads',
  checks:
    'A file that looks like Claude Code settings sits where Claude Code never looks: `~/.claude/settings.local.json` (local settings exist only in a project), or a `.jsonc` variant of a settings file (`settings.jsonc`, `settings.local.jsonc`, `managed-settings.jsonc`, `managed-settings.d/*.jsonc`).',
  why: 'Nothing in the file takes effect, and Claude Code says nothing about it: with telemetry configured only there, no metrics or events are ever exported. Some third-party guides recommend `~/.claude/settings.local.json`; editors suggest `.jsonc` because Claude Code rejects comments.',
  fix: 'none',
  versions: 'all versions (~/.claude/settings.local.json observed unread on 2.1.197; settings.jsonc per issue #83190)',
  bad: {
    file: '~/.claude/settings.local.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "model": "opus",\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\n  }\n}\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "unread-file: ~/.claude/settings.local.json is never read"',
    'https://github.com/anthropics/claude-code/issues/83190',
    'https://code.claude.com/docs/en/settings',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    return ws.claude.unread.flatMap((u) => {
      const held = heldSettings(u.source);
      if (!held) return [];
      return [
        {
          ...atJsonNode(u.path, u.source, held.keyNode, held.keyPath),
          kind: 'unread' as const,
          data: { file: u.path, reason: u.reason, envNames: held.envNames, topKeys: held.topKeys, missing: held.envNames.filter((n) => !ws.claude.env.has(n)) },
          hint: hintFor(
            u.path,
            ws.claude.files.map((f) => f.path),
          ),
        },
      ];
    });
  },
});

function consequence(envNames: string[], missing: string[]): string {
  if (envNames.length === 0) return 'none of it takes effect';
  if (missing.length === envNames.length)
    return `none of its ${envNames.length} variable${envNames.length > 1 ? 's are' : ' is'} set anywhere Claude Code reads`;
  if (missing.length > 0) return `${list(missing)} ${missing.length > 1 ? 'are' : 'is'} not set anywhere Claude Code reads`;
  return 'its values do not take effect (the variables are set elsewhere)';
}

function list(names: string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

function hintFor(path: string, readPaths: string[]): string {
  const name = basename(path);
  const dir = dirname(path);
  if (name === 'settings.local.json') {
    return `move its entries into ${join(dir, 'settings.json')} (your user settings) or into a project's .claude/settings.local.json, then delete this file`;
  }
  const target = name.replace(/\.jsonc$/, '.json');
  const targetPath = join(dir, target);
  return readPaths.includes(targetPath)
    ? `merge its entries into ${target} beside it (strict JSON: no comments, no trailing commas), then delete this file`
    : `rename it to ${target} and remove comments and trailing commas: Claude Code reads strict JSON only`;
}
