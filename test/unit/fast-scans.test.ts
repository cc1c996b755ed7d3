// The fast paths of two scans that run on every file and every key (issue #15 speed) against the code they replaced,
// kept here as the reference: the same verdicts on every fixture and corpus file, and on generated texts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as jsonc from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { jsonNestingOffset, MAX_NESTING } from '../../src/load/nesting.js';
import { isSecretName, redact, urlHasPassword } from '../../src/util/secrets.js';

/** jsonNestingOffset as it was: brackets counted from jsonc-parser's scanner tokens. */
function scannerNestingOffset(text: string): number | undefined {
  const scanner = jsonc.createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== jsonc.SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === jsonc.SyntaxKind.OpenBraceToken || kind === jsonc.SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_NESTING) return scanner.getTokenOffset();
    } else if ((kind === jsonc.SyntaxKind.CloseBraceToken || kind === jsonc.SyntaxKind.CloseBracketToken) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** isSecretName as it was: every name cut into words. */
function wordsSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]/)
    .filter(Boolean);
  if (
    words.length === 0 ||
    /^(FILE|PATH|DIR|URL|URI|ENDPOINT|TYPE|SCHEME|ENABLED|HELPER|MS|TTL|NAME)$/.test(words[words.length - 1]) ||
    name.startsWith('OTEL_LOG_')
  )
    return false;
  return words.some(
    (w, i) =>
      /^(TOKENS?|SECRETS?|PASSWORD|PASSWD|PWD|PASSPHRASE|CREDENTIALS?|AUTHORIZATION|APIKEY)$/.test(w) ||
      (w === 'KEY' && (i > 0 || words[i + 1] === 'PEM')) ||
      (w === 'AUTH' && i === words.length - 1),
  );
}

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) yield* files(p);
    else if (st?.isFile() && st.size < 2_000_000) yield p;
  }
}

const texts = [...files('fixtures'), ...files('test/corpus')]
  .filter((p) => /\.(json|jsonc|ya?ml|env|txt)$|settings/.test(p))
  .map((p) => readFileSync(p, 'utf8'));

/** A seeded generator (the same texts every run). */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('jsonNestingOffset', () => {
  it('finds what the scanner-based check found on every fixture and corpus file', () => {
    expect(texts.length).toBeGreaterThan(100);
    for (const t of texts) expect(jsonNestingOffset(t)).toBe(scannerNestingOffset(t));
  });

  it('finds what the scanner-based check found on generated texts of brackets, strings, escapes and comments', () => {
    const next = random(15);
    const pieces = ['[', '[', '{', '{', ']', '}', '"', '\\', '/', '*', '\n', '\r', ' ', 'a', '1', '-', '//', '/*', '*/', '\\"', '\\u00'];
    let deep = 0;
    for (let n = 0; n < 3000; n++) {
      const opening = 40 + Math.floor(next() * 40);
      let t = '['.repeat(opening);
      const length = Math.floor(next() * 120);
      for (let i = 0; i < length; i++) t += pieces[Math.floor(next() * pieces.length)];
      t += '{'.repeat(Math.floor(next() * 40));
      const expected = scannerNestingOffset(t);
      if (expected !== undefined) deep++;
      expect(jsonNestingOffset(t), JSON.stringify(t)).toBe(expected);
    }
    expect(deep).toBeGreaterThan(300); // both verdicts occur
  });
});

describe('isSecretName', () => {
  it('judges every word-like name of every fixture and corpus file as the word-cutting check did', () => {
    const names = new Set<string>();
    for (const t of texts) for (const m of t.matchAll(/[\p{L}\p{N}_.-]+/gu)) names.add(m[0]);
    expect(names.size).toBeGreaterThan(1000);
    let secret = 0;
    for (const name of names) {
      const expected = wordsSecretName(name);
      if (expected) secret++;
      expect(isSecretName(name), name).toBe(expected);
    }
    expect(secret).toBeGreaterThan(10);
  });

  it('judges names whose upper case differs in length or letters the same way (ß, ſ, ı, the Kelvin sign)', () => {
    for (const name of [
      'paßword',
      'PAßWORD',
      'paſſword',
      'toKen',
      'authı',
      'aPıKey',
      'api_\u212Aey',
      'my_ſecret',
      'ſecret_file',
      'x_pwd',
      'keyPem',
      'KEY_PEM',
      'key',
    ])
      expect(isSecretName(name), name).toBe(wordsSecretName(name));
  });
});

describe('urlHasPassword', () => {
  const parsedPassword = (url: string) => {
    try {
      return !!new URL(url.trim()).password;
    } catch {
      return false;
    }
  };

  it('answers as the URL parser does for every URL-like word of every fixture and corpus file, and odd forms', () => {
    const urls = new Set([
      'https://u:p@h',
      'http://u:p@h:4318',
      'https://:p@h',
      'https://u@h',
      'https://u:@h',
      'http:\\\\u:p@h',
      ' https://u:p@h ',
      'https://u:p%40x@h',
      'https://h/a@b:c',
      'mailto:u:p@h',
      'http://u:p@',
      '@',
      'u:p@h',
    ]);
    for (const t of texts) for (const m of t.matchAll(/[^\s"'`,]*:[^\s"'`,]*/g)) urls.add(m[0]);
    expect(urls.size).toBeGreaterThan(500);
    for (const url of urls) expect(urlHasPassword(url), url).toBe(parsedPassword(url));
  });
});

describe('redact', () => {
  /** redact as it was: every secret split out, the URL pattern run on every text. */
  function everyPassRedact(text: string, secrets: Set<string>, keep: readonly string[] = []): string {
    let out = text;
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
      const around = keep.filter((k) => k.includes(s));
      if (around.length === 0) out = out.split(s).join('****');
      else {
        const alternatives = [...around].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
        const pattern = new RegExp(`((?<![\\w-])(?:${alternatives.join('|')})(?![\\w-]))`);
        out = out
          .split(pattern)
          .map((part, i) => (i % 2 === 1 ? part : part.split(s).join('****')))
          .join('');
      }
    }
    return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`<>\\]+)@/gi, (_, scheme: string, info: string) => {
      const colon = info.indexOf(':');
      return `${scheme}${colon >= 0 ? `${info.slice(0, colon)}:****` : '****'}@`;
    });
  }

  it('masks every line of every fixture and corpus file as before, with secrets taken from the files and an empty one', () => {
    const next = random(7);
    const lines = texts.flatMap((t) => t.split('\n')).filter((l) => l.length > 0);
    const words = [...new Set(lines.flatMap((l) => l.split(/\s+/)).filter((w) => w.length > 2))];
    const pick = () => words[Math.floor(next() * words.length)];
    const keep = ['collector/unknown-component', 'settings/invalid-endpoint'];
    let masked = 0;
    for (const [i, line] of lines.entries()) {
      const secrets = new Set([pick(), pick(), line.slice(2, 8), ...(i % 500 === 0 ? [''] : []), ...(i % 7 === 0 ? ['unknown', 'end'] : [])]);
      const expected = everyPassRedact(line, secrets, keep);
      if (expected !== line) masked++;
      expect(redact(line, secrets, keep), line).toBe(expected);
      expect(redact(line, new Set()), line).toBe(everyPassRedact(line, new Set()));
    }
    expect(masked).toBeGreaterThan(1000);
  });
});
