import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { isCollectorImage } from '../../model/compose.js';
import { atYaml } from '../../model/yaml-locate.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
/** Tools a healthcheck typically calls; none of them exist in the collector image. */
const TOOLS = /^(?:.*\/)?(curl|wget|sh|bash|ash|nc|busybox)$/;

export default defineRule({
  id: 'compose/shell-healthcheck',
  severity: 'error',
  title: 'Shell, curl or wget healthcheck on the scratch-based collector image',
  checks: 'A compose healthcheck on an official collector image (otel/opentelemetry-collector, -contrib, -k8s) that runs curl, wget, sh or another tool, or uses the shell form (a string or CMD-SHELL, which needs /bin/sh).',
  why: 'The collector images are built FROM scratch: only the collector binary is inside, no shell, curl or wget. The check can never pass, the container stays "unhealthy", and services with `depends_on: condition: service_healthy` on it never start.',
  fix: 'none',
  versions: 'all collector images',
  bad: {
    file: 'docker-compose.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:13133/"]\n',
  },
  good: { file: 'docker-compose.yml', text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    # health: the health_check extension on :13133, probed from outside the container\n' },
  references: ['collector.md §7 ("Image is FROM scratch": no shell/curl/wget; depends_on service_healthy never resolves), §6 (health_check extension)'],
  oracle: 'fixtures',
  stage: 'Collector',
  check(ws) {
    const findings: RuleFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const s of compose.services) {
        if (!isCollectorImage(s.repository) || !isObject(s.raw.healthcheck)) continue;
        const hc = s.raw.healthcheck;
        if (hc.disable === true || hc.test === undefined || hc.test === null) continue;
        const test = hc.test;
        let runs: string | undefined;
        if (typeof test === 'string') runs = `the shell command "${test}" (a string test runs in /bin/sh)`;
        else if (Array.isArray(test) && test[0] === 'CMD-SHELL') runs = 'a CMD-SHELL test (it runs in /bin/sh)';
        else if (Array.isArray(test) && test[0] === 'CMD' && TOOLS.test(String(test[1] ?? ''))) runs = `"${test[1]}"`;
        if (!runs) continue;
        const dependents = compose.services.filter((o) => isObject(o.raw.depends_on) && isObject(o.raw.depends_on[s.name]) && (o.raw.depends_on[s.name] as Record<string, unknown>).condition === 'service_healthy');
        findings.push({
          ...atYaml(compose.yaml, [...s.path, 'healthcheck', 'test'], 'value'),
          message: `the healthcheck of service "${s.name}" in ${basename(compose.file)} runs ${runs}, but ${s.image} is built FROM scratch with no shell, curl or wget: the check always fails and the container stays unhealthy${dependents.length ? `, so ${dependents.map((d) => `"${d.name}"`).join(', ')} (depends_on: condition: service_healthy) ${dependents.length === 1 ? 'never starts' : 'never start'}` : ''}`,
          hint: 'remove the healthcheck, or enable the health_check extension (endpoint 0.0.0.0:13133) and probe it from the host or another container',
        });
      }
    }
    return findings;
  },
});
