import type { ErrorObject } from 'ajv';

/** One schema error said for people: where (a path as code would write it) and what is wrong, with the value. */
export interface SchemaError {
  /** Path segments of the offending value (for locating it in the file). */
  path: (string | number)[];
  /** `rules["settings/sensitive-logging"]`, `ignore[0].rules`, or `(top level)`. */
  at: string;
  /** `is "offf", not one of "error", "warning", "info", "off"`. */
  error: string;
}

const decode = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** `a.b[0]["x/y"]`: how the value is reached, written as in JavaScript. */
export function pathText(path: (string | number)[]): string {
  const text = path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`))
    .join('');
  return text || '(top level)';
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let v = root;
  for (const s of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[s] : undefined;
  return v;
}

/** A value as a message shows it: short JSON, cut when long. */
function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** ajv's error in words: the key, the bad value and what is allowed, instead of `/a~1b must be equal to one of the allowed values`. */
export function describeSchemaError(err: ErrorObject, root: unknown): SchemaError {
  const path = err.instancePath.split('/').slice(1).map(decode);
  // A segment of digits is a list index only where the value above it is a list (`rules` keys may be digits).
  const typed = path.map((s, i) => (typeof s === 'string' && /^\d+$/.test(s) && Array.isArray(valueAt(root, path.slice(0, i))) ? Number(s) : s));
  const value = valueAt(root, typed);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'enum':
      return { path: typed, at: pathText(typed), error: `is ${shown(value)}, not one of ${(p.allowedValues as unknown[]).map(shown).join(', ')}` };
    case 'type':
      return { path: typed, at: pathText(typed), error: `is ${kindOf(value)} (${shown(value)}), must be ${String(p.type).replace(/,/g, ' or ')}` };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      return { path: [...typed, key], at: pathText([...typed, key]), error: 'is not a known key here' };
    }
    case 'required':
      return { path: typed, at: pathText(typed), error: `lacks the key "${String(p.missingProperty)}"` };
    default:
      return { path: typed, at: pathText(typed), error: `${err.message ?? 'is invalid'} (is ${shown(value)})` };
  }
}
