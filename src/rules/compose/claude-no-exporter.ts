import { basename } from 'node:path';
import { isTruthy } from '../../model/claude-env.js';
import type { ComposeService } from '../../model/compose.js';
import { defineRule, type RuleFinding } from '../define.js';

/** The exporter variables a Claude Code needs besides the switch; unset means off (claude-code.md §1). */
const EXPORTERS = [
  { variable: 'OTEL_METRICS_EXPORTER', what: 'metrics' },
  { variable: 'OTEL_LOGS_EXPORTER', what: 'events' },
] as const;

const messages = {
  noExporter: {
    message: (d: { service: string; variables: string[]; what: string[] }) =>
      `service "${d.service}" sets no ${d.variables.join(' or ')}: its Claude Code sends no ${d.what.join(' or ')}`,
    detail: (d: { file: string; variables: string[] }) =>
      `${d.file} turns Claude Code's telemetry on (CLAUDE_CODE_ENABLE_TELEMETRY), and unset ${d.variables.length > 1 ? 'exporters mean' : 'means'} off (assuming its image and any settings file inside it set none either: the doctor reads neither)`,
  },
} as const;
type ClaudeNoExporterFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/claude-no-exporter',
  severity: 'warning',
  title: 'Claude Code in a container with telemetry on but no exporter',
  checks:
    'A compose service whose environment (and readable env_file) sets CLAUDE_CODE_ENABLE_TELEMETRY on but leaves both OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER unset, with no Claude Code settings file mounted into it. One of them set is taken as a choice.',
  why: 'Claude Code reads an unset exporter variable as off, not as the OpenTelemetry default `otlp`: the container exports neither metrics nor events although telemetry is on, and the collector and dashboards stay empty. Run in a container, the environment is usually all the configuration it gets.',
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  claude-code:\n    build: .\n    environment:\n      - CLAUDE_CODE_ENABLE_TELEMETRY=1\n      - OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  claude-code:\n    build: .\n    environment:\n      - CLAUDE_CODE_ENABLE_TELEMETRY=1\n      - OTEL_METRICS_EXPORTER=otlp\n      - OTEL_LOGS_EXPORTER=otlp\n      - OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318\n',
  },
  messages,
  references: [
    'https://code.claude.com/docs/en/monitoring-usage (OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER)',
    'measured on real Claude Code: test/conformance/cases.ts, case "missing-metrics-exporter: logs only"',
    'corpus/adios-file-exporter (github.com/JaimeCernuda/agentic-adios claude_telemetry/)',
  ],
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: ClaudeNoExporterFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const service of compose.services) {
        // An env_file the doctor could not read, or a settings file inside the container, may set the exporters.
        if (service.hasEnvFile || mountsClaudeSettings(service)) continue;
        const known = (name: string) => (service.unknownEnvironment.has(name) ? undefined : service.environment[name]);
        const enable = known('CLAUDE_CODE_ENABLE_TELEMETRY');
        if (!isTruthy(enable)) continue;
        if (EXPORTERS.some((e) => service.unknownEnvironment.has(e.variable))) continue;
        // One exporter set is a choice (metrics only, say): only none at all means nothing is sent.
        const unset = EXPORTERS.filter((e) => !(e.variable in service.environment));
        if (unset.length < EXPORTERS.length) continue;
        const at = service.environmentAt.get('CLAUDE_CODE_ENABLE_TELEMETRY') ?? service.value;
        findings.push({
          ...at.location(),
          kind: 'noExporter',
          data: { service: service.name, file: basename(compose.file), variables: unset.map((e) => e.variable), what: unset.map((e) => e.what) },
          hint: `add ${unset.map((e) => `${e.variable}=otlp`).join(' and ')} to the service's environment`,
        });
      }
    }
    return findings;
  },
});

/** A Claude Code settings file (user, project or managed) placed into the container. */
function mountsClaudeSettings(service: ComposeService): boolean {
  return service.mounts.some((m) => /(^|\/)\.claude(\/|$)|\/\.claude\.json$|\/etc\/claude-code(\/|$)|managed-settings\.json$/.test(m.target));
}
