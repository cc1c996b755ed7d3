import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseJson, propertyNode } from '../load/json.js';
import { describeSchemaError } from '../load/schema-errors.js';
import { didYouMean } from '../util/distance.js';
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
  /** `file:line:col` of the value at a path (its key, for an object member). */
  const at = (path: (string | number)[]) => {
    const node = propertyNode(doc.root, path) ?? doc.root;
    const pos = r.source.position(node?.offset ?? 0);
    return `${file}:${pos.line}:${pos.column}`;
  };
  const validate = schemaValidator('doctor-config.schema.json');
  if (!validate(doc.value)) {
    const e = describeSchemaError(validate.errors![0], doc.value);
    throw new UsageError(`${at(e.path)}: invalid config: ${e.at} ${e.error}`);
  }
  const value = doc.value as Partial<DoctorConfig> & { ignore?: { path: string; rules: string[]; reason?: string }[] };
  const ids: [string, (string | number)[]][] = [
    ...Object.keys(value.rules ?? {}).map((id): [string, (string | number)[]] => [id, ['rules', id]]),
    ...(value.ignore ?? []).flatMap((entry, i) => entry.rules.map((id, j): [string, (string | number)[]] => [id, ['ignore', i, 'rules', j]])),
  ];
  for (const [id, path] of ids) {
    if (!knownRules.has(id)) throw new UsageError(`${at(path)}: unknown rule id "${id}"${didYouMean(id, knownRules)} (see claude-otel-doctor rules)`);
    if (fixedRules.has(id)) throw new UsageError(`${at(path)}: ${id} cannot be turned off, re-graded or ignored: ${UNEXAMINED_REASON}`);
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
