import { emptyStack } from '../../src/model/stack.js';
import type { EnvSetting } from '../../src/model/claude-env.js';
import { loadSettingsFile, type SettingsFile } from '../../src/model/claude-settings.js';
import { buildClaudeSetup, type Workspace } from '../../src/model/workspace.js';
import { SourceFile } from '../../src/load/source.js';
import type { FileKind } from '../../src/discover/classify.js';
import { toFinding, type AnyRule } from '../../src/rules/define.js';
import type { Finding, TextEdit } from '../../src/types.js';
import { Facts } from '../../src/model/facts.js';

/** An in-memory Claude Code setup: settings per scope (lowest precedence first within a scope) and shell variables. */
export interface SetupSpec {
  user?: Record<string, unknown>;
  project?: Record<string, unknown>;
  local?: Record<string, unknown>;
  managed?: Record<string, unknown>;
  /** `export KEY=value` lines, as an env file. */
  shell?: string;
  version?: string;
  stackFiles?: FileKind[];
}

const PATHS = {
  user: '/home/dev/.claude/settings.json',
  project: '/repo/.claude/settings.json',
  local: '/repo/.claude/settings.local.json',
  managed: '/etc/claude-code/managed-settings.json',
} as const;

export function settingsText(obj: Record<string, unknown>): string {
  return `${JSON.stringify(obj, null, 2)}\n`;
}

/** Builds the workspace the rules see, from strings only (no files are read). */
export function workspaceOf(spec: SetupSpec): Workspace {
  const settings: SettingsFile[] = [];
  for (const scope of ['user', 'project', 'local', 'managed'] as const) {
    const obj = spec[scope];
    if (obj) settings.push(loadSettingsFile(new SourceFile(PATHS[scope], settingsText(obj)), scope));
  }
  const shell: EnvSetting[] = [];
  if (spec.shell !== undefined) {
    const source = new SourceFile('/home/dev/otel.env', spec.shell);
    source.lineStarts.forEach((start, i) => {
      const line = source.lineText(i + 1);
      const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(["']?)(.*)\2$/.exec(line);
      if (!m) return;
      const valueOffset = start + line.indexOf('=') + 1 + m[2].length;
      shell.push({
        name: m[1],
        value: m[3],
        origin: {
          scope: 'shell',
          file: source.path,
          source,
          keyRange: source.range(start + line.indexOf(m[1]), m[1].length),
          valueRange: source.range(valueOffset, m[3].length),
        },
      });
    });
  }
  const claude = buildClaudeSetup({ settings, shell, unread: [], problems: [] }, { version: spec.version ?? '2.1.197', source: 'flag' });
  return {
    root: '/repo',
    name: 'test',
    claude,
    problems: [],
    sources: new Map(),
    mode: 'machine',
    stackFiles: (spec.stackFiles ?? []).map((kind) => ({ kind, source: new SourceFile(`/repo/${kind}.yaml`, '') })),
    stack: emptyStack(),
    facts: new Facts(),
  };
}

/** Applies a fix's edits to the text of one file (highest offset first, as a fixer would). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

/** Runs one rule and returns its findings as the engine renders them (message from kind and data), default severity filled in. */
export function run(rule: AnyRule, spec: SetupSpec): Omit<Finding, 'workspace'>[] {
  return findingsOf(rule, workspaceOf(spec));
}

/** One rule's findings on a workspace, rendered as the engine renders them. */
export function findingsOf(rule: AnyRule, ws: Workspace): Omit<Finding, 'workspace'>[] {
  return rule.check(ws).map((f) => toFinding(rule, f, f.severity ?? rule.severity));
}

/** The env of the user settings file after applying a finding's fix. */
export function fixedUserEnv(spec: SetupSpec, finding: Pick<Finding, 'fix'>): Record<string, unknown> {
  const text = applyEdits(
    settingsText(spec.user!),
    finding.fix!.edits.filter((e) => e.file === PATHS.user),
  );
  return JSON.parse(text).env;
}

export const TEST_PATHS = PATHS;
