import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { prometheusExporterListeners } from '../../model/collector.js';
import { kubeRoute } from '../../model/kubernetes-routes.js';
import { composeReplicas, kubeReplicas } from '../../model/replicas.js';
import { collectorScrapes, prometheusSides } from '../../model/scrape-targets.js';
import type { Workspace } from '../../model/workspace.js';

/** `evidence`: what says the service runs several replicas (replicas.ts). */
interface OneTarget {
  target: string;
  job: string;
  file: string;
  service: string;
  /** What runs the replicas (Kubernetes): `Deployment "otel-collector"`. */
  runner?: string;
  count: number;
  evidence: string;
}

const messages = {
  composeName: {
    message: (d: OneTarget) => `job "${d.job}" scrapes ${d.count} collector replicas through one target: series flap between replicas and reset`,
    detail: (d: OneTarget) =>
      `"${d.target}" in ${d.file} names collector service "${d.service}" (${d.evidence}); each scrape reaches one replica, so Prometheus keeps one series per session that flaps between the replicas' values, never holds the parts of a session kept by the others, and sees a counter reset at nearly every flap (assuming Claude Code's exports reach more than one replica)`,
  },
  kubeService: {
    message: (d: OneTarget) => `job "${d.job}" scrapes ${d.count} collector replicas through one Service: series flap between replicas and reset`,
    detail: (d: OneTarget) =>
      `"${d.target}" in ${d.file} names Service "${d.service}", in front of ${d.runner} (${d.evidence}); each scrape reaches one replica, so Prometheus keeps one series per session that flaps between the replicas' values, never holds the parts of a session kept by the others, and sees a counter reset at nearly every flap (assuming Claude Code's exports reach more than one replica)`,
  },
} as const;
type ReplicasFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/replicas-behind-one-target',
  severity: 'warning',
  title: 'Prometheus scrapes several collector replicas through one name',
  checks:
    "A static scrape target names the compose service (or an alias) of a collector that runs several replicas (`deploy.replicas` or `scale` above 1), on its prometheus exporter's port; or a Kubernetes Service's DNS name (`svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`) whose port leads to that exporter in the pods of a workload with several replicas (`spec.replicas` above 1, or the `maxReplicas` of its HPA). Jobs that discover their targets (`dns_sd_configs`, `kubernetes_sd_configs`) and ServiceMonitors/PodMonitors are not checked: each replica is then a target of its own.",
  why: "Docker's DNS answers a service name with the address of every replica, and Prometheus scrapes whichever one its connection reaches: one target, one `instance` label, for all of them. Each replica's prometheus exporter holds only what it received of a session (delta, Claude Code's default: one part each), so the series flaps between the parts. Measured with two replicas (test/pipeline/replicas.test.ts, docs/counters.md): `max_over_time` showed 81 or 54 of a session's 108 tokens, Prometheus saw 8 to 12 counter resets, and the step growth that survives restarts added up to 162 or 324.",
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: 'docker-compose.yml',
    text: '# prometheus.yml: static target otel-collector:8889\nservices:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    deploy:\n      replicas: 2\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n    ports:\n      - "127.0.0.1:9090:9090"\n',
  },
  good: {
    file: 'docker-compose.yml + prometheus.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    deploy:\n      replicas: 2\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n    ports:\n      - "127.0.0.1:9090:9090"\n---\nscrape_configs:\n  - job_name: otel-collector\n    dns_sd_configs:\n      - names: [otel-collector]\n        type: A\n        port: 8889\n',
  },
  references: [
    'https://prometheus.io/docs/prometheus/latest/configuration/configuration/#dns_sd_config (type A: one target per address)',
    'https://docs.docker.com/reference/compose-file/deploy/#replicas',
    'https://docs.docker.com/engine/network/#dns-services (a service name resolves to the addresses of all its containers)',
  ],
  oracle: 'pipeline',
  certainty:
    "Warning only: what each replica holds depends on how the exports are balanced, which the doctor cannot see (a balancer that keeps Claude Code on one replica, and a scrape connection that stays on the same one, would lose nothing). The rule assumes Claude Code's exports reach more than one replica.",
  stage: 'Prometheus',
  messages,
  check(ws) {
    const findings: ReplicasFinding[] = [];
    for (const { prometheus, collector, scrapes } of collectorScrapes(ws)) {
      const ref = collector.service;
      const replicas = ref && composeReplicas(ref);
      if (!replicas) continue;
      for (const refs of scrapes.scraped.values()) {
        // A name on the compose network: localhost and published ports reach one replica's host port, not the name.
        for (const { job, target } of refs.filter((r) => collector.hostnames.includes(r.target.host.toLowerCase()))) {
          findings.push({
            ...target.value.location('value'),
            kind: 'composeName',
            data: {
              target: target.raw,
              job: job.name,
              file: basename(prometheus.prometheus.file),
              service: ref.service.name,
              count: replicas.count,
              evidence: replicas.evidence,
            },
            hint: `scrape each replica: replace static_configs with dns_sd_configs: [{names: [${ref.service.name}], type: A, port: ${target.port}}] (dashboards then sum across replicas)`,
          });
        }
      }
    }
    findings.push(...kubernetesTargets(ws));
    return findings;
  },
});

/** Static targets naming a Kubernetes Service whose port leads to the prometheus exporter of a replicated collector. */
function kubernetesTargets(ws: Workspace): ReplicasFinding[] {
  const findings: ReplicasFinding[] = [];
  if (ws.stack.kubernetes.services.length === 0) return findings;
  for (const { prometheus } of prometheusSides(ws)) {
    for (const job of prometheus.jobs.filter((j) => !j.discovers)) {
      for (const target of job.targets) {
        if (target.port === undefined) continue;
        const k = kubeRoute(ws.stack, target.host, target.port, job.metricsPath);
        if (k?.entry !== 'service-dns' || !k.collector || !k.workload || !k.service) continue;
        const used = new Set(k.collector.pipelines.flatMap((p) => p.exporters.map((e) => e.id.trim())));
        if (!prometheusExporterListeners(k.collector).some((l) => l.port === k.containerPort && used.has(l.exporter.id.trim()))) continue;
        const service = k.service.object.name ?? '?';
        const replicas = kubeReplicas(ws.stack, k.workload, `Service "${service}"`);
        if (!replicas) continue;
        findings.push({
          ...target.value.location('value'),
          kind: 'kubeService',
          data: {
            target: target.raw,
            job: job.name,
            file: basename(prometheus.file),
            service,
            runner: replicas.runner,
            count: replicas.count,
            evidence: replicas.evidence,
          },
          hint: `scrape each pod: a ServiceMonitor (or PodMonitor) on the exporter's port, or kubernetes_sd_configs with role endpoints for Service "${service}" (dashboards then sum across replicas)`,
        });
      }
    }
  }
  return findings;
}
