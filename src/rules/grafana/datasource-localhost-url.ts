import { isLocalTarget } from '../../util/hosts.js';
import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import { isPrometheusImage, type ComposeService } from '../../model/compose.js';
import { hasEnvReference } from '../../model/grafana.js';
import { grafanaPlacements, grafanaServices, yamlReplaceString } from '../../model/grafana-placement.js';

const DEFAULT_PORT: Record<string, number> = { prometheus: 9090, loki: 3100, tempo: 3200, alertmanager: 9093 };

function imageMatches(type: string | undefined, s: ComposeService): boolean {
  if (type === 'prometheus') return isPrometheusImage(s.repository);
  if (type === 'loki') return /(^|\/)grafana\/loki$/.test(s.repository ?? '');
  if (type === 'tempo') return /(^|\/)grafana\/tempo$/.test(s.repository ?? '');
  if (type === 'alertmanager') return /(^|\/)prom\/alertmanager$/.test(s.repository ?? '');
  return false;
}

const messages = {
  localhostUrl: {
    message: 'datasource "{{datasource}}" points at {{host}}, which is the Grafana container itself: every query fails',
    detail: 'Grafana runs in the compose service "{{service}}"; queries fail with "connection refused"',
  },
} as const;
type LocalhostUrlFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'grafana/datasource-localhost-url',
  severity: 'error',
  title: 'Datasource URL on localhost while Grafana runs in a container',
  checks:
    'A provisioned datasource whose `url` host is localhost (127.x, ::1, 0.0.0.0) while the workspace runs Grafana as a compose service (not on the host network).',
  why: 'Inside the Grafana container localhost is Grafana itself, so every query of the datasource fails and every panel is empty ("dial tcp 127.0.0.1:9090: connect: connection refused"), although `curl localhost:9090` works on the host.',
  fix: 'safe',
  fixDescription:
    'Replaces host and port with the compose service that serves the datasource (the service publishing that port, or the one running that backend image) and its container port, e.g. `http://localhost:9090` → `http://prometheus:9090`. No fix when no single service matches.',
  versions: 'all Grafana versions',
  bad: {
    file: 'grafana-datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    access: proxy\n    url: http://localhost:9090\n',
  },
  good: {
    file: 'grafana-datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    access: proxy\n    url: http://prometheus:9090\n',
  },
  references: [
    'https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources (url is resolved from the Grafana server: use the service name, not localhost)',
    'https://prometheus.io/docs/prometheus/latest/configuration/configuration/#static_config (the same pitfall for scrape targets)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    'Inside the Grafana container localhost is Grafana itself (Docker networking), so a datasource URL on localhost reaches nothing else. Error only when Grafana runs as a compose service without host networking and the file is its provisioning.',
  stage: 'Grafana',
  check(ws) {
    const grafana = grafanaServices(ws);
    if (grafana.length === 0) return [];
    const findings: LocalhostUrlFinding[] = [];
    for (const f of ws.stack.grafana.datasourceFiles) {
      const placed = grafanaPlacements(ws, f.file);
      // The Grafana container that reads this file, else the only one; host networking makes localhost fine.
      const container = placed[0]?.container ?? (grafana.length === 1 ? grafana[0] : undefined);
      if (!container || container.service.networkMode === 'host') continue;
      for (const d of f.datasources) {
        if (!d.url || hasEnvReference(d.url)) continue;
        const m = /^([a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?/i.exec(d.url.trim());
        if (!m || !isLocalTarget(m[2])) continue;
        const scheme = m[1] ?? 'http://';
        const port = m[3] ? Number(m[3]) : scheme.startsWith('https') ? 443 : 80;
        const services = container.compose.services.filter((s) => s !== container.service);
        const byPort = services.flatMap((s) =>
          s.ports.filter((p) => (p.hostPort ?? p.containerPort) === port).map((p) => ({ s, containerPort: p.containerPort })),
        );
        const byImage = services.filter((s) => imageMatches(d.type, s)).map((s) => ({ s, containerPort: DEFAULT_PORT[d.type ?? ''] ?? port }));
        const candidates = byPort.length > 0 ? byPort : byImage;
        const unique = new Map(candidates.map((c) => [`${c.s.name}:${c.containerPort}`, c]));
        const target = unique.size === 1 ? [...unique.values()][0] : undefined;
        const fixed = target
          ? d.url.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]*\]|[^:/?#]*)(:\d+)?/i, `${scheme}${target.s.name}:${target.containerPort}`)
          : undefined;
        const url = d.value.get('url')!;
        findings.push({
          ...url.location('value'),
          kind: 'localhostUrl',
          data: { datasource: d.name ?? '?', host: m[2], service: container.service.name },
          hint: fixed
            ? `use the compose service name: ${fixed}`
            : 'use the compose service name of the backend (e.g. http://prometheus:9090), or host.docker.internal for a backend on the host',
          fix: fixed ? fix('safe', `point datasource ${d.name ?? ''} at ${fixed}`, yamlReplaceString(url.doc, url.path, fixed)) : undefined,
        });
      }
    }
    return findings;
  },
});
