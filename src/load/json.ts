import * as jsonc from 'jsonc-parser';
import type { SourceFile } from './source.js';
import { jsonNestingOffset, nestingMessage } from './nesting.js';

export type JsonNode = jsonc.Node;

export interface JsonSyntaxProblem {
  offset: number;
  length: number;
  message: string;
  /** Comments and trailing commas are tolerated by JSONC but not by Claude Code or Grafana. */
  kind: 'comment' | 'trailing-comma' | 'syntax';
}

export interface JsonDocument {
  source: SourceFile;
  /** Tree from the tolerant parse; present even when strict JSON would fail, unless the text is hopeless. */
  root: JsonNode | undefined;
  value: unknown;
  problems: JsonSyntaxProblem[];
}

const errorText: Record<number, string> = {
  [jsonc.ParseErrorCode.InvalidSymbol]: 'invalid symbol',
  [jsonc.ParseErrorCode.InvalidNumberFormat]: 'invalid number',
  [jsonc.ParseErrorCode.PropertyNameExpected]: 'property name expected',
  [jsonc.ParseErrorCode.ValueExpected]: 'value expected',
  [jsonc.ParseErrorCode.ColonExpected]: 'colon expected',
  [jsonc.ParseErrorCode.CommaExpected]: 'comma expected',
  [jsonc.ParseErrorCode.CloseBraceExpected]: 'closing brace expected',
  [jsonc.ParseErrorCode.CloseBracketExpected]: 'closing bracket expected',
  [jsonc.ParseErrorCode.EndOfFileExpected]: 'end of file expected',
  [jsonc.ParseErrorCode.InvalidCommentToken]: 'invalid comment',
  [jsonc.ParseErrorCode.UnexpectedEndOfComment]: 'unterminated comment',
  [jsonc.ParseErrorCode.UnexpectedEndOfString]: 'unterminated string',
  [jsonc.ParseErrorCode.UnexpectedEndOfNumber]: 'unexpected end of number',
  [jsonc.ParseErrorCode.InvalidUnicode]: 'invalid unicode escape',
  [jsonc.ParseErrorCode.InvalidEscapeCharacter]: 'invalid escape character',
  [jsonc.ParseErrorCode.InvalidCharacter]: 'invalid character in string',
};

/**
 * Parses JSON the way a strict reader (Claude Code, Grafana) would judge it, while still building
 * a tree: comments and trailing commas are recorded as problems rather than stopping the parse.
 */
export function parseJson(source: SourceFile): JsonDocument {
  // jsonc-parser recurses once per level: past the limit, no tree, one problem where it is crossed (unless reading
  // the file checked that already).
  const tooDeepAt = source.nestingChecked === 'json' ? undefined : jsonNestingOffset(source.text);
  if (tooDeepAt !== undefined)
    return { source, root: undefined, value: undefined, problems: [{ offset: tooDeepAt, length: 1, message: nestingMessage(), kind: 'syntax' }] };
  const problems: JsonSyntaxProblem[] = [];
  const errors: jsonc.ParseError[] = [];
  const root = jsonc.parseTree(source.text, errors, { allowTrailingComma: true, disallowComments: false });
  for (const e of errors) {
    problems.push({ offset: e.offset, length: e.length, message: errorText[e.error] ?? 'syntax error', kind: 'syntax' });
  }
  // Comments and trailing commas, which the tolerant parse accepted: a second pass with a scanner, only for text
  // that strict JSON.parse refuses (it takes most files, at a small part of the scan's cost).
  if (!isStrictJson(source.text)) problems.push(...laxities(source.text));
  problems.sort((a, b) => a.offset - b.offset);
  const value = root ? jsonc.getNodeValue(root) : undefined;
  return { source, root, value, problems };
}

/** Comments and trailing commas: what JSONC allows and JSON does not. */
function laxities(text: string): JsonSyntaxProblem[] {
  const problems: JsonSyntaxProblem[] = [];
  const scanner = jsonc.createScanner(text, false);
  let previous: jsonc.SyntaxKind | undefined;
  let previousOffset = 0;
  for (let kind = scanner.scan(); kind !== jsonc.SyntaxKind.EOF; kind = scanner.scan()) {
    const offset = scanner.getTokenOffset();
    if (kind === jsonc.SyntaxKind.LineCommentTrivia || kind === jsonc.SyntaxKind.BlockCommentTrivia) {
      problems.push({ offset, length: scanner.getTokenLength(), message: 'comment (JSON has no comments)', kind: 'comment' });
      continue;
    }
    if (kind === jsonc.SyntaxKind.Trivia || kind === jsonc.SyntaxKind.LineBreakTrivia) continue;
    if (previous === jsonc.SyntaxKind.CommaToken && (kind === jsonc.SyntaxKind.CloseBraceToken || kind === jsonc.SyntaxKind.CloseBracketToken)) {
      problems.push({ offset: previousOffset, length: 1, message: 'trailing comma', kind: 'trailing-comma' });
    }
    previous = kind;
    previousOffset = offset;
  }
  return problems;
}

/**
 * The plain value of a JSON or JSONC text, as jsonc-parser's tolerant parse reads it (comments and trailing commas
 * allowed); by JSON.parse, in native code, when the text is strict JSON. Its nesting must have been checked.
 */
export function plainJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return jsonc.parse(text, [], { allowTrailingComma: true });
  }
}

/** Whether the text is JSON as JSON.parse reads it: no comment, no trailing comma, no other syntax error. */
function isStrictJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function findNode(root: JsonNode | undefined, path: (string | number)[]): JsonNode | undefined {
  return root ? jsonc.findNodeAtLocation(root, path) : undefined;
}

/** The property node (key + value) for an object member, so findings can point at the key. */
export function propertyNode(root: JsonNode | undefined, path: (string | number)[]): JsonNode | undefined {
  const value = findNode(root, path);
  return value?.parent?.type === 'property' ? value.parent : value;
}

/** JSON pointer (RFC 6901) for a path. */
export function jsonPointer(path: (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
