import { dirname, isAbsolute, join } from 'node:path';
import { parseEnvFile, readEnvFileValues } from '../load/env-file.js';
import { type Reader, realOrResolved, realPathOutside } from '../load/read.js';
import type { YamlPath } from '../load/yaml.js';

/**
 * Compose interpolation as compose-go reads it (template/template.go): `$$` is a literal `$`; `$VAR` and `${VAR}`
 * take the variable; `${VAR:-d}` / `${VAR-d}` its default when unset or empty / unset; `${VAR:?m}` / `${VAR?m}`
 * refuse the project when unset or empty / unset; `${VAR:+r}` / `${VAR+r}` give r when set and non-empty / set.
 * Defaults nest (`${A:-${B}}`). Names are case-insensitive in the pattern (`[_a-z][_a-z0-9]*`).
 *
 * The doctor knows only the `.env` beside the compose file, never the shell that runs compose (which wins over
 * `.env`). So a value is interpolated only when every variable it reads is in `.env`, or has a default it can
 * take (the doctor then assumes the shell does not set it); otherwise the value is kept as written and listed
 * as unknown: compose would put "" (with a warning) or the shell's value there, and the doctor does not guess.
 */

/** A variable a value was interpolated with, and where its value came from. */
export interface AssumedVariable {
  name: string;
  /** `.env`: taken from the .env file; `default`: not in .env, so the written default (or "") was taken. */
  from: '.env' | 'default';
}

export interface Interpolated {
  /** The interpolated value; undefined when it depends on a variable the doctor cannot know. */
  value?: string;
  /** Variables it read whose value was taken from .env or a default. */
  assumed: AssumedVariable[];
  /** Variables it read that are neither in .env nor given a default (compose: the shell's value or ""). */
  unknown: string[];
}

const NAME = /^[_a-z][_a-z0-9]*/i;

/** The index of the `}` closing the `${` at `open` (compose's own brace count), or -1. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
    if (s[i] === '{') {
      depth++;
      i++;
    }
  }
  return -1;
}

/** Interpolates one string against the variables of .env. */
export function interpolate(text: string, env: ReadonlyMap<string, string>): Interpolated {
  const assumed: AssumedVariable[] = [];
  const unknown: string[] = [];
  let known = true;
  const note = (a: AssumedVariable) => {
    if (!assumed.some((x) => x.name === a.name && x.from === a.from)) assumed.push(a);
  };
  const lookup = (name: string): string | undefined => {
    const v = env.get(name);
    if (v !== undefined) note({ name, from: '.env' });
    return v;
  };
  const sub = (s: string): string => {
    let out = '';
    let i = 0;
    while (i < s.length) {
      const dollar = s.indexOf('$', i);
      if (dollar < 0) {
        out += s.slice(i);
        break;
      }
      out += s.slice(i, dollar);
      const next = s[dollar + 1];
      if (next === '$') {
        out += '$';
        i = dollar + 2;
        continue;
      }
      const named = NAME.exec(s.slice(dollar + 1));
      if (named) {
        const v = lookup(named[0]);
        if (v === undefined) {
          known = false;
          unknown.push(named[0]);
        }
        out += v ?? '';
        i = dollar + 1 + named[0].length;
        continue;
      }
      if (next !== '{') {
        out += '$'; // not a reference: compose keeps it
        i = dollar + 1;
        continue;
      }
      const close = closingBrace(s, dollar + 1);
      const inner = close < 0 ? '' : s.slice(dollar + 2, close);
      const name = NAME.exec(inner)?.[0];
      const op = name ? /^(:?[-+?])?/.exec(inner.slice(name.length))?.[0] : undefined;
      if (!name || op === undefined || (!op && inner !== name)) {
        known = false; // compose refuses an invalid template
        return out;
      }
      const arg = inner.slice(name.length + op.length);
      const v = lookup(name);
      const empty = v === undefined || (op.startsWith(':') && v === '');
      if (op.endsWith('-')) {
        if (empty) {
          if (v === undefined) note({ name, from: 'default' });
          out += sub(arg);
        } else out += v;
      } else if (op.endsWith('+')) {
        if (v === undefined) note({ name, from: 'default' });
        out += empty ? (v ?? '') : sub(arg);
      } else if (empty) {
        // unset without a default (the shell's value or ""), or `?` (the shell's value, or compose refuses)
        known = false;
        unknown.push(name);
      } else out += v;
      i = close + 1;
    }
    return out;
  };
  const value = sub(text);
  return { value: known ? value : undefined, assumed, unknown };
}

/**
 * What a value interpolated with defaults or .env assumed, for messages: "`${GRAFANA_PASSWORD:-admin}`: GRAFANA_PASSWORD
 * is in no .env, so compose takes the default, unless the shell that runs compose sets it". Undefined when it
 * read no variable.
 */
export function describeAssumed(written: string, assumed: AssumedVariable[]): string | undefined {
  if (!assumed.length) return undefined;
  const list = (names: string[]) => names.join(', ');
  const defaults = assumed.filter((a) => a.from === 'default').map((a) => a.name);
  const dotEnv = assumed.filter((a) => a.from === '.env').map((a) => a.name);
  const parts = [
    ...(defaults.length ? [`${list(defaults)} ${defaults.length > 1 ? 'are' : 'is'} in no .env, so compose takes the default`] : []),
    ...(dotEnv.length ? [`${list(dotEnv)} from .env`] : []),
  ];
  return `\`${written}\`: ${parts.join('; ')}, unless the shell that runs compose sets ${defaults.length + dotEnv.length > 1 ? 'them' : 'it'}`;
}

/** Where a compose document was interpolated with assumptions, or could not be. */
export interface InterpolationNote extends Interpolated {
  path: YamlPath;
  /** The value as written. */
  written: string;
}

/**
 * The variables of the `.env` beside a compose file, as compose reads it for interpolation. A `.env` that links out
 * of the compose file's folder is not read: it could lead to any file of the user's. Read through `reader`, so the
 * fix loop's re-analysis sees the contents a fix means to write.
 */
export function composeDotEnv(composeFile: string, reader: Reader): Map<string, string> {
  const dir = dirname(composeFile);
  const envFile = join(dir, '.env');
  if (realPathOutside(envFile, [realOrResolved(dir, reader)], reader)) return new Map();
  return readEnvFileValues(envFile, reader);
}

/**
 * A service's `env_file:` (a path, a list of paths or of `{path, required}`) read as compose reads it: each file
 * relative to the project folder `dir` (the compose file's, or an included file's), later files win, values
 * interpolated with `.env`. Undefined when one of them cannot be read here (missing, or leading out of that
 * folder, which is not read), so any variable may come from there. A value that reads a variable the doctor cannot
 * know is listed in `unknown`.
 */
export function readServiceEnvFiles(
  dir: string,
  envFile: unknown,
  dotEnv: ReadonlyMap<string, string>,
  reader: Reader,
): { variables: Map<string, string>; unknown: Set<string> } | undefined {
  const list = Array.isArray(envFile) ? envFile : [envFile];
  const variables = new Map<string, string>();
  const unknown = new Set<string>();
  for (const entry of list) {
    const written = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? (entry as Record<string, unknown>).path : undefined;
    if (typeof written !== 'string') return undefined;
    const required = !(entry && typeof entry === 'object' && (entry as Record<string, unknown>).required === false);
    const path = isAbsolute(written) ? written : join(dir, written);
    if (realPathOutside(path, [realOrResolved(dir, reader)], reader)) return undefined;
    const r = reader.text(path);
    if (!r.ok) {
      if (required) return undefined;
      continue;
    }
    for (const e of parseEnvFile(r.source)) {
      const v = interpolate(e.value, dotEnv);
      variables.set(e.name, v.value ?? e.value);
      if (v.value === undefined) unknown.add(e.name);
      else unknown.delete(e.name);
    }
  }
  return { variables, unknown };
}

/**
 * The plain compose document with every string value interpolated (keys are not, as in compose), and a note for
 * each value that read a variable. A value that cannot be known stays as written.
 */
export function interpolateDocument(doc: unknown, env: ReadonlyMap<string, string>): { value: unknown; notes: InterpolationNote[] } {
  const notes: InterpolationNote[] = [];
  const walk = (v: unknown, path: YamlPath): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      const r = interpolate(v, env);
      if (r.assumed.length || r.unknown.length) notes.push({ ...r, path, written: v });
      return r.value ?? v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  return { value: walk(doc, []), notes };
}
