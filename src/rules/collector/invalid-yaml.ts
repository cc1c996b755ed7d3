import { defineRule } from '../define.js';

const messages = {
  /** `problem`: the YAML parser's words. */
  unreadable: (d: { problem: string; duplicateKey: boolean }) =>
    `${d.problem}${d.duplicateKey ? ' (a duplicate key)' : ''}: the collector cannot read this file and will not start`,
} as const;

export default defineRule({
  id: 'collector/invalid-yaml',
  severity: 'error',
  title: 'Collector config is not valid YAML',
  checks: 'The collector config parses as YAML: no tabs in indentation, no duplicate keys, no syntax errors.',
  why: 'The collector reads text that fails YAML parsing as a plain string and stops with an opaque "cannot resolve the configuration: retrieved value (type=string) cannot be used as a Conf": the container restarts in a loop and nothing is received.',
  fix: 'none',
  versions: 'all collector versions (the opaque message since about v0.107)',
  bad: { file: 'otel-collector-config.yml', text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n\tendpoint: 0.0.0.0:4317\n' },
  good: { file: 'otel-collector-config.yml', text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n' },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/confmap/provider.go (text that is not valid YAML is kept as a string)',
    'https://github.com/open-telemetry/opentelemetry-collector/pull/11292',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  repairsDroppedFile: true,
  fatalIn: () => true,
  check(ws) {
    return ws.stack.collectors.flatMap((c) =>
      c.yaml.problems.map((p) => ({
        file: c.file,
        range: c.yaml.source.range(p.offset, p.length),
        kind: 'unreadable' as const,
        data: { problem: p.message, duplicateKey: p.code === 'DUPLICATE_KEY' },
        hint:
          p.code === 'TAB_AS_INDENT'
            ? 'indent with spaces'
            : p.code === 'DUPLICATE_KEY'
              ? 'merge the two entries into one'
              : 'fix the YAML syntax at this position',
      })),
    );
  },
});
