import { basename, dirname, join } from 'node:path';
import { defineRule } from '../define.js';
import { findNode, parseJson } from '../../load/json.js';

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
    'claude-code.md §3.1 (locations: "Not read" rows), §3.3 (settings.jsonc)',
    'https://github.com/anthropics/claude-code/issues/83190',
    'https://code.claude.com/docs/en/settings',
  ],
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    return ws.claude.unread.flatMap((u) => {
      const doc = parseJson(u.source);
      const root = doc.root;
      if (!root || root.type !== 'object' || !root.children?.length) return [];
      const envNode = findNode(root, ['env']);
      const envNames = envNode?.type === 'object' ? (envNode.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
      const topKeys = root.children.map((p) => String(p.children?.[0]?.value));
      const keyNode = envNode?.parent?.children?.[0];
      const what = envNames.length > 0 ? `env ${list(envNames)}` : `${list(topKeys)}`;
      const missing = envNames.filter((n) => !ws.claude.env.has(n));
      const consequence =
        envNames.length === 0
          ? 'none of it takes effect'
          : missing.length === envNames.length
            ? `none of its ${envNames.length} variable${envNames.length > 1 ? 's are' : ' is'} set anywhere Claude Code reads`
            : missing.length > 0
              ? `${list(missing)} ${missing.length > 1 ? 'are' : 'is'} not set anywhere Claude Code reads`
              : 'its values do not take effect (the variables are set elsewhere)';
      return [
        {
          file: u.path,
          range: keyNode ? u.source.range(keyNode.offset, keyNode.length) : u.source.range(0, 0),
          path: keyNode ? '/env' : undefined,
          message: `${u.path} holds settings (${what}), but ${u.reason}, so ${consequence}`,
          hint: hintFor(u.path, ws.claude.files.map((f) => f.path)),
        },
      ];
    });
  },
});

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
