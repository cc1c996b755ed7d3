import type { FoundClaudeFiles } from '../discover/claude.js';
import type { FileKind } from '../discover/classify.js';
import type { Stack } from './stack.js';
import type { ReadProblem } from '../load/read.js';
import type { SourceFile } from '../load/source.js';
import { mergeEnvironment, type EffectiveEnv, type EnvSetting } from './claude-env.js';
import { topLevelString, type SettingsFile } from './claude-settings.js';
import type { JsonNode } from '../load/json.js';
import { predict, type Prediction } from './prediction.js';
import { scopeRank } from './scopes.js';
import type { Facts } from './facts.js';

/** The Claude Code files of one setup as discover/claude.ts found them, each settings file loaded by the model. */
export type ClaudeFiles = FoundClaudeFiles<SettingsFile, EnvSetting>;

export interface VersionFact {
  version: string;
  source: 'flag' | 'installed' | 'config' | 'newest known';
}

export interface ClaudeSetup {
  files: SettingsFile[];
  unread: ClaudeFiles['unread'];
  shell: EnvSetting[];
  /** Every env entry of every settings file plus the shell, with `ignored` set where Claude Code does not apply it. */
  settings: EnvSetting[];
  env: EffectiveEnv;
  otelHeadersHelper?: { value: string; file: SettingsFile; node: JsonNode };
  prediction: Prediction;
  version: VersionFact;
}

/** One setup under examination: a home and project on this machine, or one folder of a config repo. */
export interface Workspace {
  /** Folder the workspace stands for (CI mode), used to make paths relative. */
  root: string;
  /** A short name for reports, e.g. the folder relative to the scan root. */
  name: string;
  claude: ClaudeSetup;
  problems: ReadProblem[];
  /** Every text file the workspace loaded, by path, for reports that show source lines. */
  sources: Map<string, SourceFile>;
  /** Whether the workspace describes a real machine (doctor) or a folder of files (CI mode). */
  mode: 'machine' | 'files';
  /** Stack files found beside the settings (collector, Prometheus, compose, Grafana), classified by content. */
  stackFiles: { kind: FileKind; source: SourceFile }[];
  /** Those files loaded: collector configs, compose files, prometheus.yml, with the versions in force. */
  stack: Stack;
  /** What rules and probes compute from the workspace, once (dashboard queries, the metrics Grafana sees). */
  facts: Facts;
}

export function buildClaudeSetup(files: ClaudeFiles, version: VersionFact): ClaudeSetup {
  const settings: EnvSetting[] = [...files.shell];
  for (const f of files.settings) {
    for (const e of f.env) {
      if (e.value === undefined) continue;
      settings.push({
        name: e.name,
        value: e.value,
        ignored: f.dropped ? 'Claude Code ignores this whole file (it does not parse or validate)' : undefined,
        origin: {
          scope: f.scope,
          file: f.path,
          source: f.doc.source,
          settings: f,
          keyNode: e.keyNode,
          valueNode: e.valueNode,
          keyRange: f.doc.source.range(e.keyNode.offset, e.keyNode.length),
          valueRange: f.doc.source.range(e.valueNode.offset, e.valueNode.length),
        },
      });
    }
  }
  const env = mergeEnvironment(settings, version.version);
  const otelHeadersHelper = findTopLevel(files.settings, 'otelHeadersHelper');
  return {
    files: files.settings,
    unread: files.unread,
    shell: files.shell,
    settings,
    env,
    otelHeadersHelper,
    prediction: predict({ env, otelHeadersHelper: otelHeadersHelper?.value, claudeVersion: version.version }),
    version,
  };
}

/** A top-level key from the highest-precedence settings file that Claude Code keeps. */
function findTopLevel(files: SettingsFile[], key: string): ClaudeSetup['otelHeadersHelper'] {
  let best: ClaudeSetup['otelHeadersHelper'];
  files.forEach((file) => {
    if (file.dropped) return;
    const found = topLevelString(file, key);
    if (found && (!best || scopeRank(file.scope) >= scopeRank(best.file.scope))) best = { ...found, file };
  });
  return best;
}
