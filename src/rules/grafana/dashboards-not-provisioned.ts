import { basename, posix } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import type { DashboardProvider } from '../../model/grafana.js';
import { grafanaProvisioningDir } from '../../model/topology.js';
import { atJson, dashboardName } from '../../model/dashboard-queries.js';
import { grafanaPlacements, grafanaServices } from '../../model/grafana-placement.js';

const norm = (p: string) => posix.normalize(p).replace(/\/+$/, '') || '/';
const under = (path: string, dir: string) => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);

export default defineRule({
  id: 'grafana/dashboards-not-provisioned',
  severity: 'warning',
  title: 'Dashboard files that no provider reads',
  checks:
    'Dashboard JSON files in a workspace that runs Grafana: is there a dashboard provider, is the provider file mounted where Grafana reads providers (`/etc/grafana/provisioning/dashboards`), and is the dashboard mounted under a provider\'s `options.path` in the Grafana container?',
  why: 'Without a provider Grafana never loads the files: the dashboards exist only in the repository and must be imported by hand (the claude-code-otel-setup skill mounts only its datasources file). A provider whose path is not mounted (JSON mounted elsewhere) loads an empty folder. Either way the user opens Grafana and finds no dashboard.',
  fix: 'none',
  versions: 'all Grafana versions with file provisioning',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    volumes:\n      - ./grafana-datasources.yml:/etc/grafana/provisioning/datasources/datasources.yml\n# dashboards/claude-code-overview.json is never loaded\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    volumes:\n      - ./grafana-datasources.yml:/etc/grafana/provisioning/datasources/datasources.yml\n      - ./grafana-dashboards.yml:/etc/grafana/provisioning/dashboards/dashboards.yml\n      - ./dashboards:/var/lib/grafana/dashboards\n# grafana-dashboards.yml: providers: [{name: claude-code, type: file, options: {path: /var/lib/grafana/dashboards}}]\n',
  },
  references: ['grafana-loki.md §6 (provider path must match a volume mount; the cskiro skill has no provider)', 'peers.md §1.3 (templates/docker-compose.yml mounts only the datasources file)'],
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const g = ws.stack.grafana;
    if (g.dashboards.length === 0) return [];
    const grafana = grafanaServices(ws);
    // Only where it is known how Grafana runs: a Grafana service in compose, or dashboard providers.
    if (grafana.length === 0 && g.providerFiles.length === 0) return [];
    const providers = g.providerFiles.filter((f) => f.yaml.problems.length === 0).flatMap((f) => f.providers);
    // With Grafana in compose, a provider counts only when its file is mounted where Grafana reads providers.
    const read: DashboardProvider[] = [];
    const unread: DashboardProvider[] = [];
    for (const p of providers) {
      if (grafana.length === 0) read.push(p);
      else if (grafanaPlacements(ws, p.file).some((x) => under(x.containerPath, `${grafanaProvisioningDir(x.container.service)}/dashboards`))) read.push(p);
      else unread.push(p);
    }
    const findings: RuleFinding[] = [];
    for (const d of g.dashboards) {
      const at = { ...atJson(d, []), path: undefined };
      // A provider file that Grafana's container does not read is compose/config-not-mounted's finding, at the mount.
      if (read.length === 0 && unread.length > 0) continue;
      if (read.length === 0) {
        const message = `no dashboard provider in this workspace reads dashboard ${dashboardName(d)}: Grafana shows it only after a manual import`;
        findings.push({ ...at, message, hint: 'add a provider file (providers: [{name, type: file, options: {path: /var/lib/grafana/dashboards}}]) mounted under /etc/grafana/provisioning/dashboards, and mount the dashboards folder at that path' });
        continue;
      }
      if (grafana.length === 0) continue; // no compose: mounts cannot be checked
      const paths = read.filter((p) => p.optionsPath).map((p) => ({ p, path: norm(p.optionsPath!) }));
      const placements = grafanaPlacements(ws, d.file);
      if (placements.some((x) => paths.some((p) => under(x.containerPath, p.path)))) continue;
      const reads = paths.map((p) => `${p.path} (provider "${p.p.name ?? '?'}")`).join(', ');
      findings.push({
        ...at,
        message: placements.length
          ? `dashboard ${dashboardName(d)} is mounted at ${placements[0].containerPath}, but the providers read ${reads || 'no path'}: Grafana does not load it`
          : `dashboard ${dashboardName(d)} is not mounted into the Grafana container; the providers read ${reads || 'no path'}, so Grafana does not load it`,
        hint: paths.length ? `mount its folder at ${paths[0].path} in the Grafana service` : "give the provider an options.path and mount the dashboards there",
      });
    }
    return findings;
  },
});
