import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rule } from '../rules/define.js';
import { bounded, type ReportInput } from './context.js';
import { jsonSafe } from '../util/escape.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;
const DOCS_BASE = 'https://github.com/claude-otel-doctor/claude-otel-doctor/blob/main/docs/rules/';

/** SARIF 2.1.0 with rule descriptors from rule metadata and URIs relative to the working folder. */
export function formatSarif(input: ReportInput, rules: Rule[], toolVersion: string): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = input.findings.map((f) => {
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      level: LEVEL[f.severity],
      message: { text: bounded(input, f.message) + (f.hint ? `\nHint: ${bounded(input, f.hint)}` : '') },
    };
    const index = ruleIndex.get(f.ruleId);
    if (index !== undefined) result.ruleIndex = index;
    if (f.file && f.file.startsWith('/')) {
      const rel = relative(input.cwd, f.file);
      const inside = !rel.startsWith('..');
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: inside ? { uri: rel.split('\\').join('/'), uriBaseId: '%SRCROOT%' } : { uri: pathToFileURL(f.file).href },
            ...(f.range && {
              region: {
                startLine: f.range.start.line,
                startColumn: f.range.start.column,
                endLine: f.range.end.line,
                endColumn: f.range.end.column,
              },
            }),
          },
        },
      ];
    }
    return result;
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'claude-otel-doctor',
            version: toolVersion,
            informationUri: 'https://github.com/claude-otel-doctor/claude-otel-doctor',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[/-](\w)/g, (_, ch: string) => ch.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.checks },
              help: { text: `${r.why}${r.fixDescription ? `\nFix: ${r.fixDescription}` : ''}` },
              helpUri: r.id.startsWith('probe/') ? `${DOCS_BASE.replace(/rules\/$/, '')}probes.md#${r.id.replace(/[^a-z0-9-]/g, '')}` : `${DOCS_BASE}${r.id}.md`,
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { fix: r.fix, versions: r.versions },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(input.cwd + '/').href } },
        results,
      },
    ],
  };
  return jsonSafe(JSON.stringify(sarif, null, 2)) + '\n';
}
