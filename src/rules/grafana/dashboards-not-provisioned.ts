import { defineRule, type RuleFinding } from '../define.js';
import { atDashboard, dashboardName } from '../../model/dashboard-queries.js';
import { dashboardProviders, grafanaPlacements, grafanaServices, normalDir, otherServicesReading, underDir } from '../../model/grafana-placement.js';

/** The providers' folders, for messages: `/var/lib/grafana/dashboards (provider "claude-code")`, or `no path`. */
const readsText = (reads: { path: string; provider?: string }[]) => reads.map((r) => `${r.path} (provider "${r.provider ?? '?'}")`).join(', ') || 'no path';

const messages = {
  noProvider: 'no dashboard provider in this workspace reads dashboard {{dashboard}}: Grafana shows it only after a manual import',
  mountedElsewhere: {
    message: (d: { dashboard: string }) => `dashboard ${d.dashboard} is mounted where no provider reads: Grafana does not load it`,
    detail: (d: { mountedAt: string; reads: { path: string; provider?: string }[] }) =>
      `it is mounted at ${d.mountedAt}; the providers read ${readsText(d.reads)}`,
  },
  notMounted: (d: { dashboard: string; reads: { path: string; provider?: string }[] }) =>
    `dashboard ${d.dashboard} is not mounted into the Grafana container; the providers read ${readsText(d.reads)}, so Grafana does not load it`,
} as const;
type NotProvisionedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'grafana/dashboards-not-provisioned',
  severity: 'warning',
  title: 'Dashboard files that no provider reads',
  checks:
    "Dashboard JSON files in a workspace that runs Grafana: is there a dashboard provider, is the provider file mounted where Grafana reads providers (`/etc/grafana/provisioning/dashboards`), and is the dashboard mounted under a provider's `options.path` in the Grafana container?",
  why: 'Without a provider Grafana never loads the files: the dashboards exist only in the repository and must be imported by hand (the claude-code-otel-setup skill mounts only its datasources file). A provider whose path is not mounted (JSON mounted elsewhere) loads an empty folder. Either way the user opens Grafana and finds no dashboard.',
  fix: 'none',
  versions: 'all Grafana versions with file provisioning',
  bad: {
    file: 'docker-compose.yml + grafana-dashboards.yml',
    text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    volumes:\n      - ./grafana-dashboards.yml:/etc/grafana/provisioning/dashboards/dashboards.yml\n      - ./dashboards:/etc/grafana/dashboards\n---\napiVersion: 1\nproviders:\n  - name: claude-code\n    type: file\n    options:\n      path: /var/lib/grafana/dashboards\n',
  },
  good: {
    file: 'docker-compose.yml + grafana-dashboards.yml',
    text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    volumes:\n      - ./grafana-dashboards.yml:/etc/grafana/provisioning/dashboards/dashboards.yml\n      - ./dashboards:/var/lib/grafana/dashboards\n---\napiVersion: 1\nproviders:\n  - name: claude-code\n    type: file\n    options:\n      path: /var/lib/grafana/dashboards\n',
  },
  references: [
    'https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards (the provider path must match a volume mount)',
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/templates/docker-compose.yml (mounts only the datasources file)',
  ],
  oracle: 'fixtures',
  stage: 'Grafana',
  messages,
  check(ws) {
    const g = ws.stack.grafana;
    if (g.dashboards.length === 0) return [];
    const grafana = grafanaServices(ws);
    // Only where it is known how Grafana runs: a Grafana service in compose, or dashboard providers.
    if (grafana.length === 0 && g.providerFiles.length === 0) return [];
    // With Grafana in compose, a provider counts only when its file is mounted where Grafana reads providers.
    const { read, unread } = dashboardProviders(ws);
    const findings: NotProvisionedFinding[] = [];
    for (const d of g.dashboards) {
      // The HTTP API's wrapper form ({"dashboard": …}) is made to be posted, not provisioned: its absence from the
      // providers' folders is no mistake (dashboard/api-wrapper reports one a provider does load).
      if (d.base.length > 0) continue;
      const at = { ...atDashboard(d), path: undefined };
      // A provider file that Grafana's container does not read is compose/config-not-mounted's finding, at the mount.
      if (read.length === 0 && unread.length > 0) continue;
      if (read.length === 0) {
        // Another service mounts it (a sidecar posting dashboards through the HTTP API): "only after a manual
        // import" would be a guess about a program the doctor cannot read (#14 class 1).
        if (otherServicesReading(ws, d.file).length > 0) continue;
        findings.push({
          ...at,
          kind: 'noProvider',
          data: { dashboard: dashboardName(d) },
          hint: 'add a provider file (providers: [{name, type: file, options: {path: /var/lib/grafana/dashboards}}]) mounted under /etc/grafana/provisioning/dashboards, and mount the dashboards folder at that path',
        });
        continue;
      }
      if (grafana.length === 0) continue; // no compose: mounts cannot be checked
      const reads = read.filter((p) => p.optionsPath).map((p) => ({ path: normalDir(p.optionsPath!), provider: p.name }));
      const placements = grafanaPlacements(ws, d.file);
      if (placements.some((x) => reads.some((r) => underDir(x.containerPath, r.path)))) continue;
      const dashboard = dashboardName(d);
      findings.push({
        ...at,
        ...(placements.length
          ? { kind: 'mountedElsewhere' as const, data: { dashboard, mountedAt: placements[0].containerPath, reads } }
          : { kind: 'notMounted' as const, data: { dashboard, reads } }),
        hint: reads.length ? `mount its folder at ${reads[0].path} in the Grafana service` : 'give the provider an options.path and mount the dashboards there',
      });
    }
    return findings;
  },
});
