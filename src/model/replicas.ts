// How many replicas a collector runs. Several replicas behind one load-balanced endpoint split each session's
// exports between them (docs/counters.md, "Several collector replicas"). Compose today: `deploy.replicas` or
// `scale`. The Kubernetes models are to feed the same answer: a Deployment's or StatefulSet's `spec.replicas`, an
// HPA's `maxReplicas` (what it may scale to), the Helm chart's `replicaCount` or `autoscaling.maxReplicas`.
import { basename } from 'node:path';
import type { YamlValue } from '../load/yaml-value.js';
import type { CollectorConfig } from './collector.js';
import type { ComposeService } from './compose.js';
import { topology, type ServiceRef } from './topology.js';
import type { Workspace } from './workspace.js';

export interface Replicas {
  /** How many replicas run (or may run, for an autoscaler's maximum); always more than one. */
  count: number;
  /** What says so, for messages: `deploy.replicas: 3 in docker-compose.yml`. */
  evidence: string;
  /** The value that sets it. */
  at: YamlValue;
}

/** The replicas of a compose service, when more than one: `deploy.replicas`, else `scale` (compose refuses distinct values for both). */
export function composeReplicas(ref: ServiceRef): Replicas | undefined {
  const s: ComposeService = ref.service;
  const deploy = s.fields.get('deploy');
  // `mode: global` runs one container per node: one on a compose host.
  if (deploy?.get('mode')?.string() === 'global') return undefined;
  for (const [key, at] of [
    ['deploy.replicas', deploy?.get('replicas')],
    ['scale', s.fields.get('scale')],
  ] as const) {
    if (!at) continue;
    // Interpolated as compose reads it (`raw`); a variable the doctor cannot know leaves it unknown.
    const raw = key === 'scale' ? s.raw.scale : (s.raw.deploy as { replicas?: unknown } | undefined)?.replicas;
    const count = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
    if (count === undefined) return undefined;
    return count > 1 ? { count, evidence: `${key}: ${count} in ${basename(at.file)}`, at } : undefined;
  }
  return undefined;
}

/** The replicas of the service running this collector config, when more than one. */
export function collectorReplicas(ws: Workspace, collector: CollectorConfig): Replicas | undefined {
  const service = topology(ws.stack).containerOf(collector);
  return service ? composeReplicas(service) : undefined;
}
