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

/**
 * A variable a fix adds because it is set nowhere. Where it goes is the applier's choice: in machine mode the
 * `--scope` file (user settings by default); where there is no such file (CI mode) the rule's own placement,
 * `edits`, next to a related variable. `edits` is also part of the fix's `edits`, and may be empty.
 */
export interface EnvAddition {
  name: string;
  value: string;
  edits: TextEdit[];
}

export interface Fix {
  safety: FixSafety;
  description: string;
  /** Every edit, additions placed by the rule included. */
  edits: TextEdit[];
  addEnv?: EnvAddition[];
  /**
   * The fix adds something missing (a scrape job, a pipeline, a published port) rather than correcting what is
   * there. `--fix` applies such fixes only after the corrections, which often make them unnecessary (a misspelt
   * target, once corrected, is scraped after all). Fixes with `addEnv` count as adding.
   */
  adds?: boolean;
}

/** Where a finding points: the file, the range in it, and the JSON pointer or YAML path of the value. */
export type Location = Pick<Finding, 'file' | 'range' | 'path'>;

/** Pipeline stages in the order data flows; the doctor report walks them top to bottom. */
export const STAGES = ['Claude Code settings', 'OTLP endpoint', 'Collector', 'Prometheus', 'Loki', 'Grafana', 'End to end'] as const;
export type Stage = (typeof STAGES)[number];

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** Which of its rule's or probe's messages it is (their `messages` key). */
  kind?: string;
  /** The values its message was made from. */
  data?: Record<string, unknown>;
  /** The headline, rendered from `kind` and `data` by the rule's template: what is wrong and what it breaks. */
  message: string;
  /** This finding's evidence and assumptions, below the headline (concise leaves it out). */
  detail?: string;
  /** Absolute path of the file, absent for findings about the shell environment or the setup as a whole. */
  file?: string;
  range?: Range;
  /** JSON pointer or YAML path of the value, when the finding is about one. */
  path?: string;
  hint?: string;
  fix?: Fix;
  /** The workspace (folder) the finding belongs to in CI mode. */
  workspace?: string;
  /** Set when the finding means the collector (or Prometheus) refuses to start at the version in force. */
  fatal?: boolean;
  /**
   * What the finding is about (a label, a metric name, a variable): findings of one rule, kind and subject in one
   * file are one cause, and the engine reports them as one finding with every place attached.
   */
  subject?: string;
  /** The other places of a finding reported once for one cause (the first is `file`/`range`/`path`); the first 50. */
  locations?: Location[];
}

/** A wait a long run is in: what for, how long so far, and at most (ms). `done` when it is over. */
export interface Waiting {
  what: string;
  elapsedMs: number;
  timeoutMs: number;
  done?: boolean;
}

/**
 * What the doctor, `probe` and `init` report while they run (the API's `onProgress`), so a terminal can show each
 * stage when it is known instead of a blank screen. `Report` is the static result and `Result` a probe's result
 * (typed by the API: this layer does not know them).
 */
export type ProgressEvent<Report = unknown, Result = unknown> =
  /** The static rules have run: their result, and the stages whose probes start now. */
  | { type: 'static'; report: Report; probing: Stage[] }
  /** Every probe of a stage has ended: its results, and the values to mask known so far (headers helpers' output). */
  | { type: 'stage-finished'; stage: Stage; results: Result[]; secrets: string[] }
  | ({ type: 'waiting' } & Waiting)
  /** A line `docker compose up` printed (raw: escape and mask it before showing it). */
  | { type: 'output'; line: string };
