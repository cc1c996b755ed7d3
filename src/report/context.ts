import type { ReadProblem } from '../load/read.js';
import type { SourceFile } from '../load/source.js';
import type { Workspace } from '../model/workspace.js';
import type { Finding } from '../types.js';
import type { ProbeResult } from '../probes/define.js';
import { clip, escapeControl, MAX_MESSAGE } from '../util/escape.js';
import { collectSecrets, redact } from '../util/secrets.js';
import { RULES } from '../rules/index.js';
import { PROBES } from '../probes/index.js';

/** What every formatter gets: findings, plus what they need to show them (source lines, predictions). */
export interface ReportInput {
  findings: Finding[];
  workspaces: Workspace[];
  problems: ReadProblem[];
  /** Folder that relative paths in reports are relative to. */
  cwd: string;
  color: boolean;
  command: 'doctor' | 'check' | 'probe';
  /** What the live probes saw (the doctor and `probe`); their failures are also in `findings`. */
  probes?: ProbeResult[];
  /** Credentials to mask (collected from the workspaces when absent; the CLI adds those of flags). */
  secrets?: Set<string>;
  /** Terminal columns to wrap the pretty report at (at spaces); undefined: not a terminal, lines stay whole. */
  width?: number;
  /** The stack was started by this run (`init`): "start it" is not the step when it does not answer. */
  stackStarted?: boolean;
  /** Link each rule id to its docs page with OSC 8 (terminals that show them as links). */
  hyperlinks?: boolean;
}

const collected = new WeakMap<ReportInput, Set<string>>();

/** The ids of every rule and probe: words of the doctor's own that a credential equal to part of one never masks. */
export const OWN_IDS: readonly string[] = [...RULES.map((r) => r.id), ...PROBES.map((p) => p.id)];

/** A whole report's text with the run's credentials masked, the doctor's own ids kept whole. */
export function maskReport(text: string, secrets: Set<string>): string {
  return redact(text, secrets, OWN_IDS);
}

export function secretsOf(input: ReportInput): Set<string> {
  if (input.secrets) return input.secrets;
  let s = collected.get(input);
  if (!s) {
    s = collectSecrets(input.workspaces);
    collected.set(input, s);
  }
  return s;
}

/**
 * Text from input as every format shows it: secrets masked first (so a cut never leaves part of one), then cut to
 * fixed bounds (each name or value, and the whole). Terminal formats also escape it: see `shown`.
 */
export function bounded(input: ReportInput, text: string, max = MAX_MESSAGE): string {
  return clip(redact(text, secretsOf(input)), max);
}

/** Text from input for the terminal (pretty, doctor, probe lines): bounded and with control characters escaped. */
export function shown(input: ReportInput, text: string, max = MAX_MESSAGE): string {
  return escapeControl(bounded(input, text, max));
}

export function sourceFor(input: ReportInput, file: string | undefined): SourceFile | undefined {
  if (!file) return undefined;
  for (const ws of input.workspaces) {
    const s = ws.sources.get(file);
    if (s) return s;
  }
  return undefined;
}

export function countBySeverity(findings: Finding[]) {
  return {
    error: findings.filter((f) => f.severity === 'error').length,
    warning: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
  };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
