// Core types shared by loaders, rules, probes and reports.

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** 1-based line and column (UTF-16 code units, as editors and SARIF count them). */
export interface Position {
  line: number;
  column: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A text edit on one file: replace [offset, offset+length) with text. */
export interface TextEdit {
  file: string;
  offset: number;
  length: number;
  text: string;
}

export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  safety: FixSafety;
  description: string;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Absolute path of the file, absent for findings about the shell environment or the setup as a whole. */
  file?: string;
  range?: Range;
  /** JSON pointer or YAML path of the value, when the finding is about one. */
  path?: string;
  hint?: string;
  fix?: Fix;
  /** The workspace (folder) the finding belongs to in CI mode. */
  workspace?: string;
}
