// How many replicas a collector runs. Several replicas behind one load-balanced endpoint split each session's
// exports between them (docs/counters.md, "Several collector replicas"). Compose: `deploy.replicas` or `scale`.
// Kubernetes: the `spec.replicas` of the workload running the config, or the `maxReplicas` of its HPA (what it may
// scale to). The collector chart: `autoscaling.maxReplicas` when autoscaling is on, else `replicaCount` (values file).
import { basename } from 'node:path';
import { YamlValue } from '../load/yaml-value.js';
import type { CollectorConfig } from './collector.js';
import { composeReplicaCount } from './compose.js';
import type { ChartValuesInput } from './helm/embedded.js';
import { kubeRunnerOf, operatorConfig } from './kubernetes-routes.js';
import type { Stack } from './stack.js';
import type { OperatorCollector, Workload } from './kubernetes.js';
import { topology, type ServiceRef } from './topology.js';
import type { Workspace } from './workspace.js';

export interface Replicas {
  /** How many replicas run (or may run, for an autoscaler's maximum); always more than one. */
  count: number;
  /** What says so, for messages: `deploy.replicas: 3 in docker-compose.yml`. */
  evidence: string;
  /** The value that sets it. */
  at: YamlValue;
  /** What runs them, for messages: `collector service "otel-collector"`, `Deployment "otel-collector"`. */
  runner: string;
  /** What spreads the exports over them, for messages: `the compose network`, `Service "otel-collector"`. */
  spread: string;
}

/** The replicas of a compose service, when more than one: `deploy.replicas`, else `scale` (compose refuses distinct values for both). */
export function composeReplicas(ref: ServiceRef): Replicas | undefined {
  const r = composeReplicaCount(ref.service);
  return r && r.count > 1
    ? {
        count: r.count,
        evidence: `${r.key}: ${r.count} in ${basename(r.at.file)}`,
        at: r.at,
        runner: `collector service "${ref.service.name}"`,
        spread: 'the compose network',
      }
    : undefined;
}

/**
 * The replicas of a Kubernetes workload, when more than one: its HorizontalPodAutoscaler's `maxReplicas` (the HPA
 * owns the count), else `spec.replicas`. A DaemonSet runs one per node, a number the files do not say: not counted.
 */
export function kubeReplicas(stack: Stack, w: Workload, spread: string): Replicas | undefined {
  const name = `${w.object.kind} "${w.object.name ?? '?'}"`;
  const hpa = stack.kubernetes.autoscalers.find(
    (a) => a.object.namespace === w.object.namespace && a.target.name === w.object.name && (a.target.kind ?? w.object.kind) === w.object.kind,
  );
  if (hpa) {
    const max = hpa.maxReplicas;
    const at = hpa.object.value.at('spec', 'maxReplicas');
    if (max === undefined || max <= 1 || !at) return undefined;
    return {
      count: max,
      evidence: `maxReplicas: ${max} of HorizontalPodAutoscaler "${hpa.object.name ?? '?'}" in ${basename(at.file)}`,
      at,
      runner: name,
      spread,
    };
  }
  const at = w.object.value.at('spec', 'replicas');
  if (w.replicas === undefined || w.replicas <= 1 || !at || !['Deployment', 'StatefulSet', 'ReplicaSet'].includes(w.object.kind)) return undefined;
  return { count: w.replicas, evidence: `spec.replicas: ${w.replicas} in ${basename(at.file)}`, at, runner: name, spread };
}

/** The replicas of the service (or Kubernetes workload) running this collector config, when more than one. */
export function collectorReplicas(ws: Workspace, collector: CollectorConfig, spread = 'its Service'): Replicas | undefined {
  const service = topology(ws.stack).containerOf(collector);
  if (service) return composeReplicas(service);
  const w = kubeRunnerOf(ws.stack, collector);
  if (w) return kubeReplicas(ws.stack, w, spread);
  const operator = ws.stack.kubernetes.operatorCollectors.find((c) => operatorConfig(ws.stack, c) === collector);
  if (operator) return operatorReplicas(operator, spread);
  const chart = ws.stack.helmValues.find((h) => h.config?.source.path === collector.file);
  return chart ? chartReplicas(chart, spread) : undefined;
}

/**
 * The replicas of the collector chart's Deployment or StatefulSet (its values file): the HPA's `autoscaling.maxReplicas`
 * when autoscaling is on (the chart's default maximum when unset), else `replicaCount`. A DaemonSet is not counted.
 */
function chartReplicas(h: ChartValuesInput, spread: string): Replicas | undefined {
  const r = h.reading;
  const file = basename(h.values.source.path);
  const kind = r.mode?.value === 'statefulset' ? 'StatefulSet' : 'Deployment';
  const runner = `the chart's ${kind}`;
  const root = YamlValue.root(h.values);
  const [count, key, at] = r.autoscaling
    ? [r.autoscaling.maxReplicas.value, 'autoscaling.maxReplicas', r.autoscaling.maxReplicas.from]
    : [r.replicas?.value, 'replicaCount', r.replicas?.from];
  if (typeof count !== 'number' || count <= 1) return undefined;
  // A default maximum is the chart's: the finding points at what turned autoscaling on.
  const written = at !== undefined && at !== 'chart default' ? at : root.at('autoscaling', 'enabled');
  if (!written) return undefined;
  const evidence = `${key}: ${count}${at === 'chart default' ? " (the chart's default)" : ''} in ${file}`;
  return { count, evidence, at: written, runner, spread };
}

/**
 * The replicas of the Operator's OpenTelemetryCollector: its autoscaler's maxReplicas (`spec.autoscaler`, or v1alpha1's
 * `spec.maxReplicas`), else `spec.replicas`. A daemonset or sidecar is not counted.
 */
function operatorReplicas(c: OperatorCollector, spread: string): Replicas | undefined {
  if (c.mode === 'daemonset' || c.mode === 'sidecar') return undefined;
  const spec = c.object.value.get('spec');
  const runner = `OpenTelemetryCollector "${c.object.name ?? '?'}"`;
  for (const [key, at] of [
    ['spec.autoscaler.maxReplicas', spec?.at('autoscaler', 'maxReplicas')],
    ['spec.maxReplicas', spec?.get('maxReplicas')],
    ['spec.replicas', spec?.get('replicas')],
  ] as const) {
    const count = at?.number();
    if (!at || count === undefined) continue;
    return count > 1 ? { count, evidence: `${key}: ${count} in ${basename(at.file)}`, at, runner, spread } : undefined;
  }
  return undefined;
}
