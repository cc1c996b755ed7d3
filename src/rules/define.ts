import type { Finding, Fix, Range, Severity } from '../types.js';
import type { Workspace } from '../model/workspace.js';

export type Area = 'settings' | 'collector' | 'prometheus' | 'compose' | 'loki' | 'grafana' | 'dashboard' | 'doctor';

export interface RuleExample {
  /** File the example stands for, e.g. `~/.claude/settings.json`. */
  file: string;
  text: string;
}

/** Everything a rule says about itself: the single source for `rules`, `explain`, docs pages and SARIF. */
export interface RuleMeta {
  id: string;
  severity: Severity;
  title: string;
  /** What the rule checks, in a sentence or two. */
  checks: string;
  /** Why it matters: the symptom the user sees. */
  why: string;
  fix: 'safe' | 'unsafe' | 'none';
  /** How the fix works, when there is one. */
  fixDescription?: string;
  /** Versions it applies to, in words. */
  versions: string;
  bad: RuleExample;
  good: RuleExample;
  references: string[];
  /**
   * Whether a finding changes what Claude Code exports, so real Claude Code is the oracle for it
   * (the conformance suite), or only advises (golden fixtures cover it).
   */
  /** `pipeline`: real Claude Code → real collector → scraped /metrics (test/pipeline, the naming oracle). */
  oracle: 'claude-code' | 'fixtures' | 'collector' | 'promtool' | 'pipeline';
  /**
   * Whether a finding of this rule means the component will not start (or `validate` fails) at this
   * version. Metadata, because it depends on the version (the differential suites compare it with the
   * real collector and promtool). Absent: never fatal.
   */
  fatalIn?: (version: string, finding: RuleFinding) => boolean;
  /**
   * Findings of this rule mean part of the input went unexamined, so the run exits 2 (README, exit codes). They
   * come from the engine, and no flag, config or comment can hide or re-grade them: the exit code needs its reason.
   */
  unexamined?: true;
}

/** What a rule returns: a finding without its rule id; severity defaults to the rule's. */
export type RuleFinding = Omit<Finding, 'ruleId' | 'severity' | 'workspace'> & { severity?: Severity };

export interface Rule extends RuleMeta {
  check(ws: Workspace): RuleFinding[];
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export type { Fix, Range };
