import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseJson } from '../load/json.js';
import { readTextFile, realOrResolved, realPathOutside } from '../load/read.js';
import type { SourceFile } from '../load/source.js';
import type { Severity } from '../types.js';
import { schemaValidator } from '../load/schemas.js';
import { UsageError } from '../util/errors.js';

export const CONFIG_FILE_NAME = '.claude-otel-doctor.json';

export interface DoctorConfig {
  /** Folder paths in the config are relative to. */
  base: string;
  file?: string;
  source?: SourceFile;
  rules: Record<string, Severity | 'off'>;
  ignorePaths: string[];
  ignore: { path: string; rules: string[]; reason?: string; index: number }[];
  versions: { claudeCode?: string; collector?: string; prometheus?: string };
}

export function emptyConfig(base: string): DoctorConfig {
  return { base, rules: {}, ignorePaths: [], ignore: [], versions: {} };
}

/**
 * The nearest config file upward from `start`. It belongs to the folder it sits in (a repo's, often), so a symlink
 * leading out of that folder is refused, not followed; --config names a file the user chose, read wherever it leads.
 */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) {
      const folder = realOrResolved(dir);
      const real = realPathOutside(candidate, [folder]);
      if (real) throw new UsageError(`${candidate}: is a symlink to ${real}, outside ${folder}; not read (name it with --config to use it)`);
      return candidate;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Why a finding that part of the input went unexamined (doctor/unreadable-file, doctor/internal-error) cannot be hidden. */
export const UNEXAMINED_REASON = 'its findings say part of the input went unexamined, which makes the run exit 2 either way';

/** `fixedRules`: rule ids known but never turned off, re-graded or ignored (their findings explain an exit 2). */
export function loadConfig(file: string, knownRules: Set<string>, fixedRules: Set<string> = new Set()): DoctorConfig {
  const r = readTextFile(file);
  if (!r.ok) throw new UsageError(`${r.problem.path}: ${r.problem.reason}`);
  const doc = parseJson(r.source);
  const first = doc.problems.find((p) => p.kind !== 'comment');
  if (first) {
    const pos = r.source.position(first.offset);
    throw new UsageError(`${file}:${pos.line}:${pos.column}: invalid JSON in config: ${first.message}`);
  }
  const validate = schemaValidator('doctor-config.schema.json');
  if (!validate(doc.value)) {
    const e = validate.errors![0];
    throw new UsageError(`${file}: invalid config: ${e.instancePath || '(top level)'} ${e.message}`);
  }
  const value = doc.value as Partial<DoctorConfig> & { ignore?: { path: string; rules: string[]; reason?: string }[] };
  for (const id of [...Object.keys(value.rules ?? {}), ...(value.ignore ?? []).flatMap((i) => i.rules)]) {
    if (!knownRules.has(id)) throw new UsageError(`${file}: unknown rule id "${id}" (see claude-otel-doctor rules)`);
    if (fixedRules.has(id)) throw new UsageError(`${file}: ${id} cannot be turned off, re-graded or ignored: ${UNEXAMINED_REASON}`);
  }
  return {
    base: dirname(resolve(file)),
    file: resolve(file),
    source: r.source,
    rules: value.rules ?? {},
    ignorePaths: value.ignorePaths ?? [],
    ignore: (value.ignore ?? []).map((i, index) => ({ ...i, index })),
    versions: value.versions ?? {},
  };
}
