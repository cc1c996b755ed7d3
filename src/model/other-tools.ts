import type { OtherTool, OtherToolFile } from '../discover/classify.js';
import { isCollectorImage, isGrafanaImage, isLokiImage, isPrometheusImage } from './compose.js';
import type { StackFile } from './stack.js';
import { topology, type ContainerService, type Placement } from './topology.js';
import type { Stack } from './stack.js';

/**
 * Where compose mounts a file says what it is, whatever its keys: a file mounted at /etc/promtail/config.yml is
 * Promtail's even when its `scrape_configs` look like Prometheus'. Keys decide only where no mount says.
 */

/** The images of the tools the doctor recognises but does not read, and the folder each keeps its config in. */
const TOOL_CONTAINERS: { tool: OtherTool; image: RegExp; configPath: RegExp }[] = [
  { tool: 'promtail', image: /(^|\/)grafana\/promtail$/, configPath: /^\/etc\/promtail(\/|$)/ },
  { tool: 'grafana-alloy', image: /(^|\/)grafana\/alloy$/, configPath: /^\/etc\/alloy(\/|$)/ },
  { tool: 'grafana-agent', image: /(^|\/)grafana\/agent$/, configPath: /^\/etc\/agent(\/|$)/ },
  { tool: 'vector', image: /(^|\/)timberio\/vector$/, configPath: /^\/etc\/vector(\/|$)/ },
  { tool: 'fluent-bit', image: /(^|\/)fluent\/fluent-bit$/, configPath: /^\/(fluent-bit\/etc|etc\/fluent-bit)(\/|$)/ },
  { tool: 'alertmanager', image: /(^|\/)prom(etheus)?\/alertmanager$/, configPath: /^\/etc\/alertmanager(\/|$)/ },
  { tool: 'tempo', image: /(^|\/)grafana\/tempo$/, configPath: /^\/etc\/tempo([./-]|$)/ },
  { tool: 'mimir', image: /(^|\/)grafana\/mimir$/, configPath: /^\/etc\/mimir([./-]|$)/ },
];

/** Kinds a mount can correct: the files our models read, and other tools' (a mount names the tool better than keys). */
const CORRECTABLE = new Set<StackFile['kind']>(['collector', 'prometheus', 'loki', 'grafana-datasources', 'grafana-dashboards', 'other-tool']);

/** Containers that read configs the doctor checks: a file one of them mounts is what its keys say. */
function readsOurConfigs(repository: string | undefined): boolean {
  return isCollectorImage(repository) || isPrometheusImage(repository) || isLokiImage(repository) || isGrafanaImage(repository);
}

/** The other tool this placement puts the file in: the container's image, else the tool's config folder. */
function toolAt(p: Placement): OtherTool | undefined {
  const repo = (p.service.repository ?? '').replace(/^docker\.io\//, '');
  return (TOOL_CONTAINERS.find((t) => t.image.test(repo)) ?? TOOL_CONTAINERS.find((t) => t.configPath.test(p.containerPath)))?.tool;
}

function mounted(tool: OtherTool, p: Placement): OtherToolFile {
  return { tool, evidence: { by: 'mount', service: p.service.name, image: p.service.image, containerPath: p.containerPath } };
}

/**
 * The files with their kinds corrected by where the stack's compose files mount them: into another tool's container
 * (or its config folder), and into no container that reads a config we check, it is that tool's config; rule groups
 * mounted into Loki are Loki's rules; another tool's file mounted where Prometheus or a collector reads its config
 * is read as that config. `stack` needs only its compose files.
 */
export function kindsByMount(files: StackFile[], stack: Stack): StackFile[] {
  if (stack.composes.length === 0) return files;
  const topo = topology(stack);
  return files.map((f) => {
    if (!CORRECTABLE.has(f.kind)) return f;
    // Mounted where a Prometheus or a collector reads its config, it is that config, and is judged as one (an
    // Alertmanager file mounted as prometheus.yml by mistake is refused by Prometheus: that stays an error).
    const readAs = (services: ContainerService[]) => services.some((s) => s.reads?.some((r) => r.hostPath === f.source.path));
    if (f.kind === 'other-tool' && readAs(topo.prometheus)) return { ...f, kind: 'prometheus', other: undefined };
    if (f.kind === 'other-tool' && readAs(topo.collectors)) return { ...f, kind: 'collector', other: undefined };
    const placements = topo.placementsOf(f.source.path);
    const loki = placements.find((p) => isLokiImage(p.service.repository));
    if (f.other?.tool === 'prometheus-rules' && loki) return { ...f, other: mounted('loki-rules', loki) };
    if (placements.some((p) => readsOurConfigs(p.service.repository))) return f;
    for (const p of placements) {
      const tool = toolAt(p);
      if (tool) return { ...f, kind: 'other-tool', other: mounted(tool, p) };
    }
    return f;
  });
}
