import { basename } from 'node:path';
import { lazyRequire } from '../util/lazy.js';

/**
 * How deep JSON and YAML collections may nest. Real configs stay near 15 (a Grafana dashboard's panels in rows);
 * the parsers and every walk over their trees recurse once per level, so a file nesting deeper is refused before
 * any of them sees it, instead of overflowing the stack.
 */
export const MAX_NESTING = 64;

const yaml = lazyRequire<typeof import('yaml')>('yaml');

/**
 * Offset of the first `[` or `{` that opens level MAX_NESTING + 1, or undefined. Iterative: any depth is safe. A
 * plain character loop that skips what jsonc-parser's scanner skips (strings, which also end at a line break, and
 * `//` and `/* *\/` comments): the same brackets counted as its tokens, without making a token of everything else.
 */
export function jsonNestingOffset(text: string): number | undefined {
  const n = text.length;
  let depth = 0;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_NESTING) return i;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth > 0) depth--;
      i++;
    } else if (c === 0x22) {
      // a string: to its closing quote, a line break (not consumed) or the end; a backslash takes the next character
      for (i++; i < n; ) {
        const s = text.charCodeAt(i);
        if (s === 0x22) {
          i++;
          break;
        }
        if (s === 0x0a || s === 0x0d) break;
        i += s === 0x5c ? 2 : 1;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      for (i += 2; i < n && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d; ) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else i++;
  }
  return undefined;
}

/**
 * Offset where a YAML text nests collections deeper than MAX_NESTING, or undefined. Read from the yaml package's
 * lexer, a generator that keeps no stack, so it stops at the crossing point with memory and time bounded (its
 * parser builds the whole syntax tree first, and composing a Document recurses once per level). Flow collections
 * count by their brackets; block collections by the columns of their indicators (`-`, `?`) and keys, the way
 * indentation nests them; a new document starts again from nothing.
 */
export function yamlNestingOffset(text: string): number | undefined {
  return lexYaml(text).tooDeepAt;
}

/**
 * The YAML text's tokens from the yaml package's lexer, with the nesting check of `yamlNestingOffset` made on the
 * way: the parser can take them as they are (src/load/yaml.ts), so a file is lexed once. A text nested too deep
 * gives the offset where the limit is crossed, and no tokens.
 */
export function lexYaml(text: string): { tokens: string[]; tooDeepAt?: undefined } | { tokens?: undefined; tooDeepAt: number } {
  const tokens: string[] = [];
  const open: { column: number; kind: 'seq' | 'map' }[] = []; // block collections, outermost first
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  let lastContent = 0; // start of the latest scalar on this line: the key, when a `:` follows
  const block = (at: number, kind: 'seq' | 'map'): boolean => {
    const column = at - lineStart;
    while (open.length > 0 && open[open.length - 1].column > column) open.pop();
    let top = open[open.length - 1];
    if (top?.column === column && top.kind === 'seq' && kind === 'map') {
      // `a:\n- x\nb:`
      open.pop();
      top = open[open.length - 1];
    }
    // A `-` in the column of a key starts a sequence inside that map; anything else there continues the collection.
    if (top?.column !== column || (top.kind === 'map' && kind === 'seq')) open.push({ column, kind });
    return flow + open.length > MAX_NESTING;
  };
  for (const token of new (yaml().Lexer)().lex(text)) {
    tokens.push(token);
    if (token === '\x02' || token === '\x18' || token === '\x1f') continue; // markers, not text
    const at = offset;
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    if (token === '---') {
      open.length = 0;
      flow = 0;
    } else if (token === '[' || token === '{') {
      if (++flow + open.length > MAX_NESTING) return { tooDeepAt: at };
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    } else if (flow === 0 && (token === '-' || token === '?')) {
      if (block(at, token === '-' ? 'seq' : 'map')) return { tooDeepAt: at };
    } else if (flow === 0 && token === ':') {
      const key = lastContent >= lineStart ? lastContent : at;
      if (block(key, 'map')) return { tooDeepAt: key };
    } else if (token.trim() !== '' && token[0] !== '#') {
      lastContent = at;
    }
    if (newline >= 0) lineStart = at + newline + 1;
  }
  return { tokens };
}

export function nestingMessage(): string {
  return `nested deeper than ${MAX_NESTING} levels (claude-otel-doctor's limit for a config file)`;
}

/**
 * How the doctor will parse a file, decided as classification decides it (src/discover/classify.ts): env files by
 * name; JSON by name or a leading `{`; YAML by extension. Undefined: not parsed at all.
 */
export function syntaxOf(path: string, text: string): 'env' | 'json' | 'yaml' | undefined {
  const name = basename(path).toLowerCase();
  if (/\.env$|^\.env(\..+)?$/.test(name)) return 'env';
  if (/\.json(c|\.[a-z]+)?$/.test(name) || /^\s*\{/.test(text)) return 'json';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  return undefined;
}
