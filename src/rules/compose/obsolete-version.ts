import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlDeleteMapEntry } from '../../model/edits.js';

const messages = {
  /** `version` is the value as JSON: "3.8", 3.8, null. */
  obsolete: {
    message: '{{file}} sets version: {{version}}, which Compose v2 ignores',
    detail: 'Compose says "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"',
  },
} as const;
type ObsoleteVersionFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/obsolete-version',
  severity: 'info',
  title: 'Obsolete top-level `version:` in a compose file',
  checks: 'A compose file with a top-level `version:` key.',
  why: 'Compose v2 ignores it and prints on every command: "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion". It does not select a file format any more.',
  fix: 'safe',
  fixDescription: 'Removes the `version:` line; every other byte of the file stays as it is.',
  versions: 'Docker Compose v2',
  bad: { file: 'docker-compose.yml', text: 'version: "3.8"\nservices:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n' },
  good: { file: 'docker-compose.yml', text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n' },
  references: ['https://docs.docker.com/reference/compose-file/version-and-name/ (Compose Specification, "Version and name top-level elements")'],
  oracle: 'fixtures',
  stage: 'Collector',
  messages,
  check(ws) {
    const findings: ObsoleteVersionFinding[] = [];
    // Each file of each project (an override or included file has its own version: line), once.
    const files = new Map(ws.stack.composes.flatMap((c) => c.files).map((f) => [f.file, f]));
    for (const compose of files.values()) {
      const version = compose.root.get('version');
      if (!version) continue;
      findings.push({
        ...version.location(),
        kind: 'obsolete',
        data: { file: basename(compose.file), version: JSON.stringify(version.js ?? null) },
        hint: 'remove the line',
        fix: fix('safe', 'remove the obsolete version: line', yamlDeleteMapEntry(version.doc, version.path)),
      });
    }
    return findings;
  },
});
