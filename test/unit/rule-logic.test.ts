import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';

// Issue #13: behaviour is declared in a rule's metadata or carried in a finding's kind and data. Outside the rule
// files and the registry, no module may name a rule id, test an area prefix, or read a finding's (or a read
// problem's) text to decide what to do: such code breaks silently when a message is reworded or a rule renamed.

const root = join(import.meta.dirname, '..', '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Rule files and the registry: the places that may name rule ids. */
const isRuleOrRegistry = (rel: string) => /^src\/rules\/[a-z]+\/[a-z0-9-]+\.ts$/.test(rel) || rel === 'src/rules/index.ts';

const ids = new Set(RULES.map((r) => r.id));
const areas = new Set(RULES.map((r) => `${r.id.split('/')[0]}/`));

/**
 * Reading a finding's or a read problem's text: `.message` or `.reason` fed to a matcher, or a message compared.
 * (A `reason` compared with a literal is a typed discriminant, as in `Absence`, not text.)
 */
const TEXT_LOGIC = [
  /\.(message|reason)\)?\.(includes|match|matchAll|startsWith|endsWith|search|indexOf)\(/,
  /\.test\([^)]*\.(message|reason)\b/,
  /\.message\s*[!=]==/,
  /[!=]==\s*[\w.?]+\.message\b/,
];

/** The code of a file without its comments, line for line (ids in comments explain, they decide nothing). */
function code(text: string): string[] {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((line) => line.replace(/(^|[^:'"`])\/\/.*$/, '$1'));
}

/** Where `.message` is an Error's (an exception's text, not a finding's): named, with why. */
const ERROR_TEXT = new Set([
  'src/model/prometheus-check.ts', // RegExp syntax errors: the engine's own message is what is reported
  'src/probes/grpc.ts', // Node's HTTP/2 errors carry their class only in the text
  'src/fixers/write.ts', // system errors: the code is kept and the text shown
]);

describe('no behaviour from rule ids or message text outside the rules', () => {
  const sources = files(src).map((f) => ({ rel: relative(root, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));

  it('no module outside the rule files and the registry names a rule id or an area prefix', () => {
    const found: string[] = [];
    for (const { rel, text } of sources) {
      if (isRuleOrRegistry(rel)) continue;
      code(text).forEach((line, i) => {
        for (const m of line.matchAll(/(['"`])([a-z]+\/[a-z0-9-]*)\1/g)) {
          if (ids.has(m[2]) || areas.has(m[2])) found.push(`${rel}:${i + 1}: ${m[0]}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it('no module decides by reading a finding or problem text', () => {
    const found: string[] = [];
    for (const { rel, text } of sources) {
      if (ERROR_TEXT.has(rel)) continue;
      code(text).forEach((line, i) => {
        if (TEXT_LOGIC.some((re) => re.test(line))) found.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('the check itself catches what it is for', () => {
    // Guard against a pattern that matches nothing: each of these lines must be caught.
    const samples = ["if (f.message.includes('not in the core distribution'))", '/not read$/.test(p.reason)', "f.message === 'x'"];
    for (const s of samples)
      expect(
        TEXT_LOGIC.some((re) => re.test(s)),
        s,
      ).toBe(true);
    expect(ids.has('collector/exporter-tls')).toBe(true);
  });
});
