import { diskReader, type Reader } from './read.js';
import type { SourceFile } from './source.js';

export interface EnvFileEntry {
  name: string;
  value: string;
  /** Offsets into the file, for findings and edits. */
  keyOffset: number;
  valueOffset: number;
  valueLength: number;
}

/**
 * Reads a shell-style env file: `KEY=value`, `export KEY=value`, optional single or double quotes,
 * `#` comments. Enough for what people paste from setup guides; no command substitution.
 */
export function parseEnvFile(source: SourceFile): EnvFileEntry[] {
  const entries: EnvFileEntry[] = [];
  const re = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;
  source.lineStarts.forEach((start, i) => {
    const line = source.lineText(i + 1);
    if (/^\s*(#|$)/.test(line)) return;
    const m = re.exec(line);
    if (!m) return;
    let value = m[2];
    let valueOffset = start + line.length - (line.length - line.indexOf(value, line.indexOf('=') + 1));
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      valueOffset += 1;
    } else {
      value = value.replace(/[ \t]+#.*$/, '');
    }
    entries.push({ name: m[1], value, keyOffset: start + line.indexOf(m[1]), valueOffset, valueLength: value.length });
  });
  return entries;
}

/** The variables of an env file by name (the last one wins, as in a shell); empty when it cannot be read. */
export function readEnvFileValues(path: string, reader: Reader = diskReader): Map<string, string> {
  const r = reader.text(path);
  return new Map(r.ok ? parseEnvFile(r.source).map((e) => [e.name, e.value]) : []);
}
