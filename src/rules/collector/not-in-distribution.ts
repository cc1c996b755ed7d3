import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import { absence, distributionText, lifecycleOf, unknownToReleases } from '../../model/components.js';
import { isCollectorImage, type ComposeFile, type ComposeService } from '../../model/compose.js';
import type { Stack } from '../../model/stack.js';
import { collectorVersionText } from '../../model/collector-version-text.js';

const singular = (kind: string) => kind.replace(/s$/, '');

const messages = {
  notInBuild: {
    message: (d: { section: string; component: string; distribution: string }) =>
      `${singular(d.section)} "${d.component}" is not in ${d.distribution}: the collector refuses to start`,
    detail: (d: { component: string; type: string; version: string; contrib: boolean }) =>
      `${d.version} says unknown type: "${d.type}" for id: "${d.component}" (valid values: [...])${d.contrib ? '; it is a contrib component' : ''}`,
  },
} as const;

/** The compose service running the core image, when its command names the config (so the contrib image reads the same file). */
function coreService(stack: Stack): { compose: ComposeFile; service: ComposeService } | undefined {
  for (const compose of stack.composes) {
    for (const service of compose.services) {
      if (!isCollectorImage(service.repository) || /contrib$|k8s$/.test(service.repository ?? '')) continue;
      const hasConfigFlag = [...service.entrypoint, ...service.command].some((w) => /^--config(=|$)/.test(w));
      return hasConfigFlag ? { compose, service } : undefined;
    }
  }
  return undefined;
}

export default defineRule({
  id: 'collector/not-in-distribution',
  severity: 'error',
  title: 'A component the collector build does not contain',
  checks:
    'Every configured receiver, processor, exporter, connector and extension is part of the build that runs it: with the core image (`otel/opentelemetry-collector`), no contrib-only component (`deltatocumulative`, `transform`, `filelog`, `spanmetrics` connector, …); with --collector-manifest, only what the builder manifest lists. Without a compose service naming the image, core vs contrib is not guessed.',
  why: 'The core image has a small fixed set of components; a config written for contrib stops it at startup with `unknown type: "deltatocumulative" for id: "deltatocumulative" (valid values: [...])` and the container restarts in a loop.',
  fix: 'unsafe',
  fixDescription:
    'Switches the compose service to the contrib image of the same tag (`otel/opentelemetry-collector` → `otel/opentelemetry-collector-contrib`), only when its command passes `--config` (the two images read different default paths). Unsafe: a larger image with more components.',
  versions: 'all versions',
  bad: {
    file: 'docker-compose.yml + otel-collector-config.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector:0.115.1\n---\nprocessors:\n  deltatocumulative: {}\n',
  },
  good: {
    file: 'docker-compose.yml + otel-collector-config.yml',
    text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n---\nprocessors:\n  deltatocumulative: {}\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol/manifest.yaml',
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/manifest.yaml',
  ],
  oracle: 'collector',
  stage: 'Collector',
  messages,
  fatalIn: () => true,
  check(ws) {
    const stack = ws.stack;
    if (stack.collector.distribution !== 'core' && stack.collector.distribution !== 'custom') return [];
    const core = stack.collector.distribution === 'core' ? coreService(stack) : undefined;
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of stack.collectors) {
      for (const e of c.components) {
        // Removed and renamed components are reported by their own rules, which know the versions.
        if (lifecycleOf(e.kind, e.type)) continue;
        // A type no official release has is a typo or another build's component: collector/unknown-component.
        if (unknownToReleases(e.kind, e.type)) continue;
        const missing = absence(stack, e.kind, e.type);
        if (!missing || missing.reason === 'version') continue;
        // The image as written where compose takes it from (an override file's over the main file's).
        const image = core?.service.image ? core.service.fields.get('image') : undefined;
        const imageEdits = image ? yamlReplaceInScalar(image.doc, image.path, core!.service.repository!, `${core!.service.repository}-contrib`) : [];
        findings.push({
          ...e.value.location(),
          kind: 'notInBuild',
          data: {
            section: e.kind,
            component: e.id,
            type: e.type,
            distribution: distributionText(stack),
            contrib: missing.reason === 'distribution',
            version: collectorVersionText(stack),
          },
          hint:
            missing.reason === 'distribution'
              ? 'use the contrib image (otel/opentelemetry-collector-contrib, same tag) or remove the component'
              : `add the component's module to the builder manifest and rebuild, or remove it`,
          fix: missing.reason === 'distribution' ? fix('unsafe', 'use the contrib image', imageEdits) : undefined,
        });
      }
    }
    return findings;
  },
});
