import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { isCollectorImage } from '../../model/compose.js';

interface Healthcheck {
  service: string;
  file: string;
  image: string;
  /** Services that wait for it to be healthy. */
  dependents: string[];
  /** The service's `profiles:`, when it has any: compose starts it only when one is active. */
  profiles?: string[];
}
const neverHealthy = (d: Healthcheck) =>
  `the healthcheck of service "${d.service}" always fails: the container stays unhealthy${
    d.dependents.length ? `, so ${d.dependents.map((n) => `"${n}"`).join(', ')} ${d.dependents.length === 1 ? 'never starts' : 'never start'}` : ''
  }`;
const why = (d: Healthcheck, runs: string) =>
  `${d.file}${d.profiles ? ` (runs only with profile ${d.profiles.join(' or ')})` : ''}: it runs ${runs}, but ${d.image} is built FROM scratch with no shell, curl or wget${
    d.dependents.length ? '; the others wait on it (depends_on: condition: service_healthy)' : ''
  }`;

const messages = {
  shellString: {
    message: neverHealthy,
    detail: (d: Healthcheck & { command: string }) => why(d, `the shell command "${d.command}" (a string test runs in /bin/sh)`),
  },
  cmdShell: { message: neverHealthy, detail: (d: Healthcheck) => why(d, 'a CMD-SHELL test (it runs in /bin/sh)') },
  tool: { message: neverHealthy, detail: (d: Healthcheck & { tool: string }) => why(d, `"${d.tool}"`) },
} as const;
type ShellHealthcheckFinding = RuleFinding<typeof messages>;
/** Tools a healthcheck typically calls; none of them exist in the collector image. */
const TOOLS = /^(?:.*\/)?(curl|wget|sh|bash|ash|nc|busybox)$/;

export default defineRule({
  id: 'compose/shell-healthcheck',
  severity: 'error',
  title: 'Shell, curl or wget healthcheck on the scratch-based collector image',
  checks:
    'A compose healthcheck on an official collector image (otel/opentelemetry-collector, -contrib, -k8s) that runs curl, wget, sh or another tool, or uses the shell form (a string or CMD-SHELL, which needs /bin/sh). For a service with `profiles:` (started only when one is active, which the doctor cannot see) the finding is a warning naming the profiles.',
  why: 'The collector images are built FROM scratch: only the collector binary is inside, no shell, curl or wget. The check can never pass, the container stays "unhealthy", and services with `depends_on: condition: service_healthy` on it never start.',
  fix: 'none',
  versions: 'all collector images',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:13133/"]\n',
  },
  good: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    # health: the health_check extension on :13133, probed from outside the container\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/Dockerfile (FROM scratch: no shell, curl or wget)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/extension/healthcheckextension/README.md (health_check extension)',
  ],
  oracle: 'fixtures',
  certainty:
    'The official collector images are built FROM scratch: no shell, curl or wget exist inside (their Dockerfiles), so such a healthcheck can never pass and dependants waiting for service_healthy never start. Error only for those images.',
  stage: 'Collector',
  messages,
  check(ws) {
    const findings: ShellHealthcheckFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const s of compose.services) {
        if (!isCollectorImage(s.repository) || !s.healthcheck) continue;
        const test = s.healthcheck.test;
        const tool = Array.isArray(test) && test[0] === 'CMD' && TOOLS.test(test[1] ?? '') ? test[1] : undefined;
        const dependents = compose.services.filter((o) => o.waitsHealthy.includes(s.name)).map((o) => o.name);
        const data = { service: s.name, file: basename(compose.file), image: s.image!, dependents, ...(s.profiles.length ? { profiles: s.profiles } : {}) };
        const said =
          typeof test === 'string'
            ? ({ kind: 'shellString', data: { ...data, command: test } } as const)
            : test[0] === 'CMD-SHELL'
              ? ({ kind: 'cmdShell', data } as const)
              : tool !== undefined
                ? ({ kind: 'tool', data: { ...data, tool } } as const)
                : undefined;
        if (!said) continue;
        findings.push({
          ...(s.fields.get('healthcheck')?.get('test') ?? s.value).location('value'),
          ...said,
          // Gated by a profile the doctor cannot see active, the service may never start.
          ...(s.profiles.length ? { severity: 'warning' as const } : {}),
          hint: 'remove the healthcheck, or enable the health_check extension (endpoint 0.0.0.0:13133) and probe it from the host or another container',
        });
      }
    }
    return findings;
  },
});
