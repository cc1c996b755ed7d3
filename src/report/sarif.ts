import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyRule } from '../rules/define.js';
import { bounded, type ReportInput } from './context.js';
import { jsonSafe } from '../util/escape.js';
import { docsUrl, REPOSITORY_URL } from '../version.js';
import type { Range } from '../types.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** A file (relative to the working folder when inside it) and the region in it. */
function physicalLocation(cwd: string, file: string, range: Range | undefined) {
  const rel = relative(cwd, file);
  const inside = !rel.startsWith('..');
  // Stryker disable next-line StringLiteral: Windows separators; a POSIX path has none
  const relUri = rel.split('\\').join('/');
  return {
    artifactLocation: inside ? { uri: relUri, uriBaseId: '%SRCROOT%' } : { uri: pathToFileURL(file).href },
    ...(range && {
      region: {
        startLine: range.start.line,
        startColumn: range.start.column,
        endLine: range.end.line,
        endColumn: range.end.column,
      },
    }),
  };
}

/** SARIF 2.1.0 with rule descriptors from rule metadata and URIs relative to the working folder. */
export function formatSarif(input: ReportInput, rules: AnyRule[], toolVersion: string): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = input.findings.map((f) => {
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      // A rule not listed has no index: undefined is left out of the JSON.
      ruleIndex: ruleIndex.get(f.ruleId),
      level: LEVEL[f.severity],
      // Readers show one text: the headline, then the detail.
      message: { text: bounded(input, f.message) + (f.detail ? ` ${bounded(input, f.detail)}` : '') + (f.hint ? `\nHint: ${bounded(input, f.hint)}` : '') },
    };
    if (f.file?.startsWith('/')) {
      result.locations = [{ physicalLocation: physicalLocation(input.cwd, f.file, f.range) }];
      // One cause found in several places of the file: code scanning lists the others with the result.
      if (f.locations?.length) {
        result.relatedLocations = f.locations.map((l, i) => ({ id: i + 1, physicalLocation: physicalLocation(input.cwd, l.file ?? f.file!, l.range) }));
      }
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
            informationUri: REPOSITORY_URL,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[/-](\w)/g, (_, ch: string) => ch.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.checks },
              help: { text: `${r.why}${r.fixDescription ? `\nFix: ${r.fixDescription}` : ''}` },
              helpUri: docsUrl(r.id),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { fix: r.fix, versions: r.versions },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${input.cwd}/`).href } },
        results,
      },
    ],
  };
  return `${jsonSafe(JSON.stringify(sarif, null, 2))}\n`;
}
