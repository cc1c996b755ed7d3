import type { Finding, Fix, Location, Range, Severity, Stage } from '../types.js';
import type { Workspace } from '../model/workspace.js';

export type Area = 'settings' | 'collector' | 'prometheus' | 'compose' | 'loki' | 'grafana' | 'dashboard' | 'doctor';

export interface RuleExample {
  /** File the example stands for, e.g. `~/.claude/settings.json`. */
  file: string;
  text: string;
}

/**
 * A message, by id, in the rule's metadata. A string fills each `{{name}}` from the finding's data; a function
 * renders the data itself (for lists and clauses that come and go). Either way the text is made from the data,
 * so nothing needs to read a message back.
 */
export type MessageTemplate = string | ((data: never) => string);
export type Messages = Record<string, MessageTemplate>;

/** The `{{name}}` placeholders of a template string. */
type Placeholders<S extends string> = S extends `${string}{{${infer P}}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The data a message needs: the function's parameter, or one string or number per placeholder. */
export type MessageData<T> = T extends (data: infer D) => string
  ? { data: D }
  : T extends string
    ? [Placeholders<T>] extends [never]
      ? { data?: Record<string, never> }
      : { data: { [K in Placeholders<T>]: string | number } }
    : never;

/** What a rule returns: where, which message (`kind`) with its data, hint and fix; severity defaults to the rule's. */
export type RuleFinding<M extends Messages = Record<never, never>> =
  | {
      [K in keyof M & string]: Location & { kind: K; hint?: string; fix?: Fix; severity?: Severity } & MessageData<M[K]>;
    }[keyof M & string]
  | LegacyFinding;

/** TRANSITIONAL (issue #13, removed once every rule has `messages`): a finding with its message written out. */
export type LegacyFinding = Location & { kind?: undefined; message: string; hint?: string; fix?: Fix; severity?: Severity };

/** Everything a rule says about itself: the single source for `rules`, `explain`, docs pages and SARIF. */
export interface RuleMeta<M extends Messages = Messages> {
  id: string;
  severity: Severity;
  title: string;
  /** What the rule checks, in a sentence or two. */
  checks: string;
  /** Why it matters: the symptom the user sees. */
  why: string;
  /** Its findings' messages by kind: the only place their words live. */
  messages?: M;
  fix: 'safe' | 'unsafe' | 'none';
  /** How the fix works, when there is one. */
  fixDescription?: string;
  /** Versions it applies to, in words. */
  versions: string;
  bad: RuleExample;
  good: RuleExample;
  references: string[];
  /**
   * Which real tool is the oracle for the rule: `claude-code` when a finding changes what Claude Code exports (the
   * conformance suite), `collector` or `promtool` for what those refuse, `pipeline` for real Claude Code → real
   * collector → scraped /metrics (the naming oracle), `fixtures` when it only advises (golden fixtures cover it).
   */
  oracle: 'claude-code' | 'fixtures' | 'collector' | 'promtool' | 'pipeline';
  /** The pipeline stage the doctor report shows its findings under. */
  stage: Stage;
  /** The component whose version `fatalIn` is judged against (the collector unless said). */
  judgedAgainst?: 'collector' | 'prometheus';
  /**
   * Whether a finding of this rule means the component will not start (or `validate` fails) at this
   * version. Metadata, because it depends on the version (the differential suites compare it with the
   * real collector and promtool). Absent: never fatal.
   */
  fatalIn?(version: string, finding: RuleFinding<M>): boolean;
  /** Its fixes repair a file that is dropped whole (invalid JSON, YAML or schema): `--fix` applies them first. */
  repairsDroppedFile?: true;
  /**
   * Findings of this rule mean part of the input went unexamined, so the run exits 2 (README, exit codes). They
   * come from the engine, and no flag, config or comment can hide or re-grade them: the exit code needs its reason.
   */
  unexamined?: true;
}

export interface Rule<M extends Messages = Messages> extends RuleMeta<M> {
  check(ws: Workspace): RuleFinding<M>[];
}

/** A rule of any messages, as the registry, engine and reports hold them. */
// eslint-style escape hatch: the registry cannot name each rule's message types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any>;

export function defineRule<const M extends Messages = Record<never, never>>(rule: Rule<M>): Rule<M> {
  return rule;
}

/** The text of a finding's message: its kind's template filled from its data. Throws on a missing kind or field. */
export function renderMessage(rule: Pick<RuleMeta, 'id' | 'messages'>, kind: string, data: Record<string, unknown> | undefined): string {
  const template = rule.messages?.[kind];
  if (template === undefined) throw new Error(`rule ${rule.id} has no message "${kind}"`);
  if (typeof template === 'function') return (template as (d: unknown) => string)(data ?? {});
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = data?.[name];
    if (value === undefined) throw new Error(`rule ${rule.id} message "${kind}" needs {{${name}}}`);
    return String(value);
  });
}

/** Any rule's finding before rendering, whatever its messages. */
type FindingDraft = Location & { kind?: string; data?: unknown; message?: string; hint?: string; fix?: Fix; severity?: Severity };

/** A rule's finding as every report holds it: rule id, severity, and the message rendered. */
export function toFinding(rule: Pick<RuleMeta, 'id' | 'messages'>, f: FindingDraft, severity: Severity): Omit<Finding, 'workspace'> {
  const { kind, data, message, severity: _own, ...rest } = f;
  if (kind === undefined) return { ...rest, ruleId: rule.id, severity, message: message ?? '' };
  const values = data as Record<string, unknown> | undefined;
  return { ...rest, ruleId: rule.id, severity, kind, data: values, message: renderMessage(rule, kind, values) };
}

export type { Fix, Range };
