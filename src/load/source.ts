import type { Position, Range } from '../types.js';

/** A loaded text file with a line index, so any offset maps to a line and column. */
export class SourceFile {
  readonly lineStarts: number[];
  /** The syntax whose nesting limit reading checked this text against (src/load/read.ts): parsers need not again. */
  nestingChecked?: 'json' | 'yaml';
  /** The tokens that check lexed (YAML), until the first parse takes them: a file is lexed once. */
  yamlTokens?: string[];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lineStarts = [0];
    // indexOf, not a loop over every character: it runs in native code, at every start on every file read.
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  range(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + Math.max(0, length)) };
  }

  /** The offset of a position (the inverse of `position`). */
  offset(p: Position): number {
    return (this.lineStarts[p.line - 1] ?? this.text.length) + p.column - 1;
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line] ?? this.text.length + 1;
    return this.text.slice(start, next - 1).replace(/\r$/, '');
  }
}

/** An offset in a file. */
export interface HostOffset {
  source: SourceFile;
  offset: number;
}

/**
 * A config written inside another file (a collector config in a Kubernetes ConfigMap's literal block `|`): its text
 * is the embedded config, read by the models like any file, while positions and edits land in the host file.
 * `path` names the embedded config (`<host>#<where>`) so it stays apart from its host and from its siblings;
 * the engine reports its findings under `host.path`.
 *
 * A literal block maps line by line: embedded line i is host line `firstLine + i`, shifted right by the block's
 * indentation. Any other style (quoted, folded, plain) cannot be mapped: every position is the key's (`at`), and
 * edits are refused (`readOnly`). A text derived from the host rather than written in it (the collector config a Helm
 * chart renders from a values file) maps each offset through `offsetOf` to the host offset it came from, and is
 * read-only too. A text drawn from several files (an object `kustomize build` makes from a base, patches and an
 * overlay) maps each offset through `locate` to the file and offset it came from: `hostLocation` gives the file,
 * positions stay its own until then, and it is read-only.
 */
export class EmbeddedSource extends SourceFile {
  constructor(
    path: string,
    text: string,
    readonly host: SourceFile,
    readonly block: { firstLine: number; indent: number } | { at: number } | { offsetOf(offset: number): number } | { locate(offset: number): HostOffset },
  ) {
    super(path, text);
  }

  get readOnly(): boolean {
    return !('firstLine' in this.block);
  }

  override position(offset: number): Position {
    if ('at' in this.block) return this.host.position(this.block.at);
    if ('offsetOf' in this.block) return this.host.position(this.block.offsetOf(offset));
    // Positions of a text drawn from several files stay its own until `hostLocation` says which file they are in.
    if ('locate' in this.block) return super.position(offset);
    const own = super.position(offset);
    return { line: this.block.firstLine + own.line - 1, column: this.block.indent + own.column };
  }

  /**
   * Where a range of this text (as `position` gave it) is in the files: the host's path and the range as it is, or,
   * for a text drawn from several files, the file its start comes from (its end too when in the same file).
   */
  hostLocation(range: Range): { file: string; range: Range } {
    if (!('locate' in this.block)) return { file: this.host.path, range };
    const start = this.block.locate(super.offset(range.start));
    const end = this.block.locate(super.offset(range.end));
    const endAt = end.source === start.source && end.offset >= start.offset ? end.offset : start.offset;
    return { file: start.source.path, range: start.source.range(start.offset, endAt - start.offset) };
  }

  /**
   * An edit of the embedded text as an edit of the host file, or undefined when it cannot be one (read-only). A
   * range that starts at a line's start takes the host line's indentation with it, so the new text is indented:
   * every line of it by the block's indentation, and with the host's line breaks.
   */
  hostEdit(offset: number, length: number, text: string): { offset: number; length: number; text: string } | undefined {
    if (!('firstLine' in this.block)) return undefined;
    const { indent } = this.block;
    const start = this.hostOffset(offset);
    const end = this.hostOffset(offset + length);
    const eol = this.host.text.includes('\r\n') ? '\r\n' : '\n';
    const pad = ' '.repeat(indent);
    let out = text.replace(/\r?\n(?=[^\r\n])/g, `\n${pad}`).replace(/\r?\n/g, eol);
    if (start.lineStart && !(text === '' && end.lineStart)) out = pad + out;
    return { offset: start.offset, length: end.offset - start.offset, text: out };
  }

  /** A host offset; at the start of an embedded line, the start of the host line (before its indentation). */
  private hostOffset(offset: number): { offset: number; lineStart: boolean } {
    const { firstLine, indent } = this.block as { firstLine: number; indent: number };
    const own = super.position(offset);
    const lineStart = this.host.lineStarts[firstLine + own.line - 2] ?? this.host.text.length;
    if (own.column === 1) return { offset: lineStart, lineStart: true };
    return { offset: lineStart + indent + own.column - 1, lineStart: false };
  }
}
