import { basename, dirname, relative } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';

const messages = {
  /** `how`: `include:` or `extends:`. */
  unread: {
    message: '{{file}} names {{path}} ({{how}}), which was not checked: what it defines is not judged',
    detail: 'it is not among the files checked (outside the paths given, or missing)',
  },
} as const;
type UnreadProjectFileFinding = RuleFinding<typeof messages>;

/** The stack's collector, defined in a file the example's compose file includes from outside the scan. */
const COLLECTOR = `  otel-collector:
    image: otel/opentelemetry-collector-contrib:0.115.1
    command: ["--config=/etc/otel-collector-config.yml"]
    volumes:
      - ./otel-collector-config.yml:/etc/otel-collector-config.yml
    ports:
      - "127.0.0.1:4317:4317"
      - "127.0.0.1:4318:4318"
`;
const OTHERS = `  prometheus:
    image: prom/prometheus:v2.55.1
    volumes:
      - ./prometheus.yml:/etc/prometheus/prometheus.yml
    ports:
      - "127.0.0.1:9090:9090"
  loki:
    image: grafana/loki:3.3.2
    ports:
      - "127.0.0.1:3100:3100"
  grafana:
    image: grafana/grafana:11.3.0
    environment:
      - GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin
    volumes:
      - ./grafana-datasources.yml:/etc/grafana/provisioning/datasources/datasources.yml
      - ./grafana-dashboards.yml:/etc/grafana/provisioning/dashboards/dashboards.yml
      - ./dashboards:/var/lib/grafana/dashboards
    ports:
      - "127.0.0.1:3000:3000"
`;

export default defineRule({
  id: 'compose/unread-project-file',
  severity: 'info',
  title: 'A compose file includes or extends a file the doctor does not read',
  checks:
    'A compose file whose `include:` or `extends: {file:}` names a file that is not among the files checked: outside the scanned paths (the doctor never reads there), or missing.',
  why: "`docker compose` loads that file into the project: its services, ports and mounts are part of the stack. The doctor reads only inside the paths it is given, so it judges the project without them: a service only that file defines is not checked, and a service that extends it is judged with its own settings alone. Nothing is concluded from the file's absence; this line says what was left out.",
  fix: 'none',
  versions: 'Docker Compose v2 (include: since 2.20)',
  bad: { file: 'docker-compose.yml', text: `include:\n  - ../shared/otel-collector.yaml\nservices:\n${OTHERS}` },
  good: { file: 'docker-compose.yml', text: `services:\n${COLLECTOR}${OTHERS}` },
  references: [
    'https://docs.docker.com/reference/compose-file/include/',
    'https://docs.docker.com/reference/compose-file/services/#extends',
    'https://github.com/compose-spec/compose-go/blob/v2.16.2/loader/include.go',
    'https://github.com/compose-spec/compose-go/blob/v2.16.2/loader/extends.go',
    'measured against compose-go: test/oracles/compose-differential.test.ts',
  ],
  oracle: 'fixtures',
  stage: 'Collector',
  messages,
  check(ws) {
    const findings: UnreadProjectFileFinding[] = [];
    const seen = new Set<string>();
    for (const compose of ws.stack.composes) {
      for (const u of compose.unfollowed) {
        const key = `${u.value.file}|${u.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({
          ...u.value.location('value'),
          kind: 'unread',
          data: {
            file: basename(u.value.file),
            path: relative(dirname(u.value.file), u.path),
            how: u.value.path.includes('include') ? 'include:' : 'extends:',
          },
          hint: 'check it with the rest: pass its folder too (claude-otel-doctor check <this folder> <its folder>)',
        });
      }
    }
    return findings;
  },
});
