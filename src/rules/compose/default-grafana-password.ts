import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { isGrafanaImage } from '../../model/compose.js';
import { isMap, isSeq, isScalar, nodeAt } from '../../load/yaml.js';
import { atYaml } from '../../model/yaml-locate.js';

const VAR = 'GF_SECURITY_ADMIN_PASSWORD';

export default defineRule({
  id: 'compose/default-grafana-password',
  severity: 'warning',
  title: 'Grafana with the default admin password',
  checks: `A Grafana service (grafana/grafana, -oss, -enterprise) whose ${VAR} is "admin", or unset (Grafana's default admin/admin) with no ${VAR}__FILE and no env_file that could set it.`,
  why: 'Anyone who reaches Grafana logs in as admin/admin: they read every dashboard (Claude Code usage per user, cost, prompts when logged) and can change datasources. Basic auth is on by default, so the API is open the same way.',
  fix: 'none',
  versions: 'all Grafana versions',
  bad: { file: 'docker-compose.yml', text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=admin\n' },
  good: { file: 'docker-compose.yml', text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_ADMIN_PASSWORD:?set it in .env}\n' },
  references: ['grafana-loki.md §7 (basic auth admin:admin by default), §8 (GF_SECURITY_ADMIN_PASSWORD only seeds the admin on first start)', 'peers.md §1.1, §1.3 (guides shipping admin/admin)'],
  oracle: 'fixtures',
  stage: 'Collector',
  check(ws) {
    const findings: RuleFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const s of compose.services) {
        if (!isGrafanaImage(s.repository)) continue;
        if (s.environment[`${VAR}__FILE`]) continue;
        const value = s.environment[VAR];
        const exposed = s.ports.some((p) => p.hostIp === undefined || p.hostIp === '0.0.0.0' || p.hostIp === '::');
        const reach = exposed ? 'anyone who can reach its port (published on all interfaces)' : 'anyone who can reach Grafana';
        const seeding = 'it only seeds the admin on first start: on an existing Grafana volume also change the password in Grafana';
        if (value === undefined) {
          if (s.raw.env_file !== undefined) continue; // it may come from there
          findings.push({
            ...atYaml(compose.yaml, s.path),
            message: `Grafana service "${s.name}" in ${basename(compose.file)} sets no ${VAR}, so the admin login is Grafana's default admin/admin: ${reach} can log in as admin`,
            hint: `set ${VAR} from a secret or an .env variable (e.g. \${GRAFANA_ADMIN_PASSWORD:?}), or ${VAR}__FILE; ${seeding}`,
          });
        } else if (value === 'admin') {
          findings.push({
            ...atYaml(compose.yaml, envPath(compose.yaml, s.path), 'value'),
            message: `Grafana service "${s.name}" in ${basename(compose.file)} sets ${VAR}=admin, the well-known default: ${reach} can log in as admin`,
            hint: `take the password from a secret or an .env variable (e.g. \${GRAFANA_ADMIN_PASSWORD:?}); ${seeding}`,
          });
        }
      }
    }
    return findings;
  },
});

/** Where the variable is written: `environment: {VAR: x}` or the `- VAR=x` list entry. */
function envPath(y: Parameters<typeof nodeAt>[0], service: (string | number)[]): (string | number)[] {
  const env = nodeAt(y, [...service, 'environment']);
  if (isMap(env)) return [...service, 'environment', VAR];
  if (isSeq(env)) {
    const i = env.items.findIndex((item) => isScalar(item) && String(item.value).startsWith(`${VAR}=`));
    if (i >= 0) return [...service, 'environment', i];
  }
  return [...service, 'environment'];
}
