import { defineRule } from '../define.js';
import type { TextEdit } from '../../types.js';
import { parseJson, type JsonSyntaxProblem } from '../../load/json.js';
import type { SourceFile } from '../../load/source.js';
import { atSpan } from '../../model/settings-locate.js';

const DROPPED = 'Claude Code ignores this whole file, including its env';

const messages = {
  syntax: `not valid JSON: {{error}}: ${DROPPED}`,
  commentsOrCommas: (d: { comments: number; trailingCommas: number }) =>
    `${[count(d.comments, 'comment'), count(d.trailingCommas, 'trailing comma')].filter(Boolean).join(' and ')} (Claude Code reads strict JSON only): ${DROPPED}`,
} as const;

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
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "invalid-json: a // comment drops the user file (nothing else configured)"',
    'https://code.claude.com/docs/en/settings',
    'https://github.com/anthropics/claude-code/issues/83190',
  ],
  messages,
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
        const syntax = f.doc.problems.find((p) => p.kind === 'syntax');
        const problem = syntax
          ? { kind: 'syntax' as const, data: { error: syntax.message } }
          : {
              kind: 'commentsOrCommas' as const,
              data: { comments: countOf(f.doc.problems, 'comment'), trailingCommas: countOf(f.doc.problems, 'trailing-comma') },
            };
        return {
          ...atSpan(f, first.offset, first.length),
          ...problem,
          hint: repairable ? 'remove the comments and trailing commas' : 'repair the JSON syntax; until then nothing in this file takes effect',
          fix: edits.length ? { safety: 'safe' as const, description: 'remove comments and trailing commas', edits } : undefined,
        };
      });
  },
});

const countOf = (problems: JsonSyntaxProblem[], kind: JsonSyntaxProblem['kind']) => problems.filter((p) => p.kind === kind).length;

/** "2 comments", "1 trailing comma", or nothing for none: what a person needs to find them all. */
function count(n: number, word: string): string {
  return n ? `${n} ${word}${n > 1 ? 's' : ''}` : '';
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
