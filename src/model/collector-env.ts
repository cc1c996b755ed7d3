import { basename } from 'node:path';
import { readTextFile } from '../load/read.js';
import { parseEnvFile } from '../load/env-file.js';
import { stringScalars, type YamlDocument, type YamlPath } from '../load/yaml.js';
import { UsageError } from '../util/errors.js';
import type { ComposeFile, ComposeService } from './compose.js';

/**
 * The environment the collector process runs with, when the doctor can know it, and how the collector
 * expands `${env:NAME}` / `${NAME}` against it (confmap resolver and envprovider, read at each version):
 * - an unset variable and one set to the empty string expand alike: the env provider parses "" as YAML, i.e. nil;
 * - a reference that is the whole value makes the option nil: before v0.127.0 it keeps its default,
 *   from v0.127.0 (confmap v1.33.0, DecodeNil) it is set to its zero value ("", 0, false);
 * - inside a longer string, nil had no string form before v0.108.0 (confmap v1.14.0): from v0.104.0, where
 *   every `${…}` goes through the provider, the collector refuses to start
 *   ("retrieved value does not have unambiguous string representation: <nil>"); later it is "".
 */
export const EMBEDDED_NIL_FATAL_FROM = '0.104.0';
export const EMBEDDED_NIL_FIXED_IN = '0.108.0';
export const NIL_ZEROES_FROM = '0.127.0';

export interface CollectorEnvironment {
  /** Variables the collector sees, with their values; undefined value: set, but its value is not known here. */
  variables: Map<string, string | undefined>;
  /** For messages: where the environment came from. */
  evidence: string;
}

/** `--collector-env-file`: exactly the variables of a KEY=value file. */
export function readCollectorEnvironment(path: string): CollectorEnvironment {
  const r = readTextFile(path);
  if (!r.ok) throw new UsageError(`--collector-env-file ${r.problem.path}: ${r.problem.reason}`);
  const variables = new Map<string, string | undefined>(parseEnvFile(r.source).map((e) => [e.name, e.value]));
  return { variables, evidence: `--collector-env-file ${basename(path)}` };
}

/**
 * A compose service's container environment, from `environment:` as compose interpolates it (the compose model
 * reads `.env` and `env_file:`). Undefined when an `env_file:` could not be read, so the environment is not known.
 * `- NAME` without a value and values that read a variable the doctor cannot know (`${HOST_VAR}`, set in the
 * shell or not) count as set, value unknown.
 */
export function composeEnvironment(compose: ComposeFile, service: ComposeService): CollectorEnvironment | undefined {
  if (service.hasEnvFile) return undefined;
  const variables = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(service.environment)) {
    variables.set(name, service.unknownEnvironment.has(name) ? undefined : value);
  }
  return { variables, evidence: `the environment of service "${service.name}" in ${basename(compose.file)}` };
}

/** Whether the collector sees the variable as empty (unset, or set to ""). */
export function expandsEmpty(env: CollectorEnvironment, name: string): boolean {
  if (!env.variables.has(name)) return true;
  return env.variables.get(name) === '';
}

/** One `${NAME}` or `${env:NAME}` reference without a default, in a string value of the collector config. */
export interface EnvReference {
  name: string;
  /** The reference as written, e.g. `${env:OTLP_HOST}`. */
  token: string;
  offset: number;
  /** The reference is the whole value (the option then takes the variable's typed value, or nil). */
  whole: boolean;
  path: YamlPath;
}

/** A string value of a YAML file: its value, its text as written (quotes and escapes kept) and where that starts. */
export interface WrittenString {
  path: YamlPath;
  value: string;
  raw: string;
  start: number;
}

/** Every string value of the file, in document order: what the collector's `${…}` and `$VAR` handling reads. */
export function writtenStrings(y: YamlDocument): WrittenString[] {
  return stringScalars(y).map((v) => ({ path: v.path, value: v.value, raw: y.source.text.slice(v.start, v.end), start: v.start }));
}

/** References the env provider resolves: unescaped (`$${…}` is literal), no `:-default`, env: scheme or none. */
export function envReferences(y: YamlDocument): EnvReference[] {
  const out: EnvReference[] = [];
  for (const v of writtenStrings(y)) {
    const raw = v.raw;
    for (const m of raw.matchAll(/(\$+)\{(env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      if (m[1].length % 2 === 0) continue; // `$${…}` is the escape for the literal text
      const token = m[0].slice(m[1].length - 1);
      out.push({ name: m[3], token, offset: v.start + m.index! + m[1].length - 1, whole: v.value === token, path: v.path });
    }
  }
  return out;
}
