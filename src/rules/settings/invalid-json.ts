import { defineRule } from '../define.js';
import type { TextEdit } from '../../types.js';
import { parseJson, type JsonSyntaxProblem } from '../../load/json.js';
import { SourceFile } from '../../load/source.js';

export default defineRule({
  id: 'settings/invalid-json',
  severity: 'error',
  title: 'Settings file is not strict JSON',
  checks: 'Every Claude Code settings file (managed, --settings, project, local, user, ~/.claude.json) must be strict JSON: no comments, no trailing commas.',
  why: 'Claude Code silently ignores the whole file, its `env` block included: telemetry stays off with no message. Only `claude doctor` says "Invalid or malformed JSON".',
  fix: 'safe',
  fixDescription: 'Removes comments and trailing commas when the rest of the file is valid JSON; other syntax errors need a hand.',
  versions: 'all versions (observed on 2.1.197)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp", // REQUIRED!\n  }\n}\n',
  },
  good: { file: '~/.claude/settings.json', text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp"\n  }\n}\n' },
  references: ['claude-code.md §3.3 (E19): comment or trailing comma → file ignored', 'https://code.claude.com/docs/en/settings'],
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  repairsDroppedFile: true,
  check(ws) {
    return ws.claude.files
      .filter((f) => f.doc.problems.length > 0)
      .map((f) => {
        const first = f.doc.problems[0];
        const repairable = f.doc.problems.every((p) => p.kind !== 'syntax');
        const edits = repairable && !f.inline ? stripCommentsAndCommas(f.doc.source) : [];
        return {
          file: f.path,
          range: f.doc.source.range(first.offset, first.length),
          message: `${describeProblems(f.doc.problems)}: Claude Code ignores this whole file, including its env`,
          hint: repairable ? 'remove the comments and trailing commas' : 'repair the JSON syntax; until then nothing in this file takes effect',
          fix: edits.length ? { safety: 'safe' as const, description: 'remove comments and trailing commas', edits } : undefined,
        };
      });
  },
});

/** "2 comments and 1 trailing comma", or the first syntax error: what a person needs to find them all. */
function describeProblems(problems: JsonSyntaxProblem[]): string {
  const syntax = problems.find((p) => p.kind === 'syntax');
  if (syntax) return `not valid JSON: ${syntax.message}`;
  const count = (kind: JsonSyntaxProblem['kind'], word: string) => {
    const n = problems.filter((p) => p.kind === kind).length;
    return n ? `${n} ${word}${n > 1 ? 's' : ''}` : '';
  };
  return `${[count('comment', 'comment'), count('trailing-comma', 'trailing comma')].filter(Boolean).join(' and ')} (Claude Code reads strict JSON only)`;
}

/** Edits that delete comments (with the spaces before a line comment) and trailing commas. */
function stripCommentsAndCommas(source: SourceFile): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const p of parseJson(source).problems) {
    if (p.kind === 'comment') {
      let start = p.offset;
      while (start > 0 && (source.text[start - 1] === ' ' || source.text[start - 1] === '\t')) start--;
      // A comment alone on its line goes with its line break.
      const lineStart = source.text.lastIndexOf('\n', start - 1) + 1;
      let end = p.offset + p.length;
      if (start === lineStart && source.text[end] === '\n') end++;
      else if (start === lineStart && source.text.slice(end, end + 2) === '\r\n') end += 2;
      edits.push({ file: source.path, offset: start, length: end - start, text: '' });
    } else if (p.kind === 'trailing-comma') {
      edits.push({ file: source.path, offset: p.offset, length: 1, text: '' });
    }
  }
  return edits;
}
