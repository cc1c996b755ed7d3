import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { isGrafanaImage } from '../../model/compose.js';

const VAR = 'GF_SECURITY_ADMIN_PASSWORD';

interface Grafana {
  service: string;
  file: string;
  /** Its port is published on all interfaces. */
  exposed: boolean;
  /** What compose interpolation was assumed to give the value (`${GRAFANA_PASSWORD:-admin}`), if any. */
  assumed?: string;
}
const exposed = (d: Grafana) => (d.exposed ? '; its port is published on all interfaces' : '');

const messages = {
  unset: {
    message: (d: Grafana) => `Grafana service "${d.service}" keeps the default login admin/admin: anyone who can reach it can log in as admin`,
    detail: (d: Grafana) => `${d.file} sets no ${VAR}${exposed(d)}`,
  },
  admin: {
    message: (d: Grafana) => `Grafana service "${d.service}" sets the well-known default password: anyone who can reach it can log in`,
    detail: (d: Grafana) => `${d.file} sets ${VAR}=admin${d.assumed ? ` (${d.assumed})` : ''}, the well-known default${exposed(d)}`,
  },
} as const;
type DefaultGrafanaPasswordFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/default-grafana-password',
  severity: 'warning',
  title: 'Grafana with the default admin password',
  checks: `A Grafana service (grafana/grafana, -oss, -enterprise) whose ${VAR} is "admin", or unset (Grafana's default admin/admin) with no ${VAR}__FILE and no env_file that could set it.`,
  why: 'Anyone who reaches Grafana logs in as admin/admin: they read every dashboard (Claude Code usage per user, cost, prompts when logged) and can change datasources. Basic auth is on by default, so the API is open the same way.',
  fix: 'none',
  versions: 'all Grafana versions',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=admin\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_ADMIN_PASSWORD:?set it in .env}\n',
  },
  references: [
    'https://grafana.com/docs/grafana/latest/setup-grafana/sign-in-to-grafana/ (admin/admin by default)',
    'https://github.com/sourcegraph/docs/pull/865 (GF_SECURITY_ADMIN_PASSWORD only initialises the admin on first start)',
    'https://github.com/anthropics/claude-code-monitoring-guide/tree/02777441 (docker-compose.yml ships admin/admin)',
  ],
  oracle: 'fixtures',
  stage: 'Collector',
  messages,
  check(ws) {
    const findings: DefaultGrafanaPasswordFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const s of compose.services) {
        if (!isGrafanaImage(s.repository)) continue;
        if (s.environment[`${VAR}__FILE`]) continue;
        const value = s.environment[VAR];
        const data = {
          service: s.name,
          file: basename(compose.file),
          exposed: s.ports.some((p) => p.hostIp === undefined || p.hostIp === '0.0.0.0' || p.hostIp === '::'),
          assumed: s.assumedEnvironment.get(VAR),
        };
        const seeding = 'it only seeds the admin on first start: on an existing Grafana volume also change the password in Grafana';
        if (value === undefined) {
          if (s.hasEnvFile) continue; // it may come from there
          findings.push({
            ...s.value.location(),
            kind: 'unset',
            data,
            hint: `set ${VAR} from a secret or an .env variable (e.g. \${GRAFANA_ADMIN_PASSWORD:?}), or ${VAR}__FILE; ${seeding}`,
          });
        } else if (value === 'admin') {
          findings.push({
            ...(s.environmentAt.get(VAR) ?? s.fields.get('environment') ?? s.value).location('value'),
            kind: 'admin',
            data,
            hint: `take the password from a secret or an .env variable (e.g. \${GRAFANA_ADMIN_PASSWORD:?}); ${seeding}`,
          });
        }
      }
    }
    return findings;
  },
});
