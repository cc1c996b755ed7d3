import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlReplaceInScalar } from '../../model/edits.js';
import { type ComposeService, isCollectorImage, isPrometheusImage } from '../../model/compose.js';
import { NEWEST_KNOWN_COLLECTOR, NEWEST_KNOWN_PROMETHEUS } from '../../model/versions.js';
/** Moving tags: what they pull changes from one `docker compose pull` to the next. */
const MOVING = new Set(['latest', 'nightly']);
/** pull_policy values with which compose pulls an image it has (always, or once it is old), built or not. */
const PULLS_PRESENT = /^(always|refresh|daily|weekly|every_.+)$/;

/**
 * Compose never pulls this image: `pull_policy: never` or `build`, or the image is built in this file (the service
 * or another with the same image has `build:`) and is pulled only when missing, a failed pull falling back to the
 * build (compose's pullRequiredImages, isServiceImageToBuild). The tag then names what `docker compose build` made.
 */
function notPulled(s: ComposeService, services: readonly ComposeService[]): boolean {
  const policy = typeof s.raw.pull_policy === 'string' ? s.raw.pull_policy : undefined;
  if (policy === 'never' || policy === 'build') return true;
  const built = services.some((o) => o.raw.build !== undefined && (o === s || o.image === s.image));
  return built && !(policy !== undefined && PULLS_PRESENT.test(policy));
}

interface Unpinned {
  image: string;
  service: string;
  file: string;
  /** No tag at all (Docker pulls latest), rather than a moving one. */
  noTag: boolean;
}
const notPinned = (d: Unpinned) => `service "${d.service}" runs an unpinned image`;
const where = (d: Unpinned) => `image "${d.image}" in ${d.file}${d.noTag ? ' (no tag means latest)' : ''}`;

const messages = {
  collector: {
    message: (d: Unpinned) => `${notPinned(d)}: each pull can bring a collector release that refuses this config`,
    detail: (d: Unpinned) =>
      `${where(d)}; releases have: logging exporter removed in v0.111.0, metrics.address an error from v0.128.0, loki exporter gone in v0.131.0`,
  },
  prometheus: {
    message: (d: Unpinned) => `${notPinned(d)}: each pull can bring a new Prometheus release`,
    detail: (d: Unpinned) => `${where(d)}; 3.0 changed defaults and removed flags`,
  },
  other: {
    message: (d: Unpinned) => `${notPinned(d)}: each pull can bring a different release`,
    detail: (d: Unpinned) => `${where(d)}; the stack changes without a change in the repository`,
  },
} as const;
type UnpinnedImageFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'compose/unpinned-image',
  severity: 'warning',
  title: 'Image without a pinned version',
  checks:
    'A compose service image with no tag (Docker then pulls `latest`), or the moving tags `latest` or `nightly`. Digests and version tags count as pinned; images built from variables are skipped, and so are images compose does not pull: `pull_policy: never` or `build`, or an image built in the file (`build:`) unless `pull_policy` pulls it anyway (`always`, `daily`, `weekly`, `every_…`, `refresh`).',
  why: 'Each pull can bring a breaking release without any change in the repository: the collector removed the `logging` exporter in v0.111.0, made `service.telemetry.metrics.address` an error in v0.128.0 and dropped the `loki` exporter in v0.131.0, so a stack that worked yesterday restarts in a loop today. The doctor also has to assume the newest version for its version-gated checks.',
  fix: 'unsafe',
  fixDescription: `Pins collector images to ${NEWEST_KNOWN_COLLECTOR} and prom/prometheus to v${NEWEST_KNOWN_PROMETHEUS}: the newest releases this doctor's version-gated rules know (for the collector, the current oracle build of the test suite; for Prometheus, the reference timeline), so its checks match what runs. Other images (Grafana, Loki, …) get no automatic pin. Unsafe: the pinned release may differ from what \`latest\` pulls today; pin the version you run (docker compose images) if you prefer.`,
  versions: 'all versions',
  bad: { file: 'docker-compose.yml', text: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:latest\n' },
  good: { file: 'docker-compose.yml', text: `services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:${NEWEST_KNOWN_COLLECTOR}\n` },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/.goreleaser.yaml (image tags: the bare version, latest, nightly)',
    'https://github.com/anthropics/claude-code-monitoring-guide/tree/02777441 (docker-compose.yml: every image :latest)',
  ],
  oracle: 'fixtures',
  stage: 'Collector',
  messages,
  check(ws) {
    const findings: UnpinnedImageFinding[] = [];
    for (const compose of ws.stack.composes) {
      for (const s of compose.services) {
        if (!s.image || s.image.includes('$')) continue;
        if (s.tag !== undefined && !MOVING.has(s.tag)) continue;
        if (notPulled(s, compose.services)) continue;
        const pin = isCollectorImage(s.repository) ? NEWEST_KNOWN_COLLECTOR : isPrometheusImage(s.repository) ? `v${NEWEST_KNOWN_PROMETHEUS}` : undefined;
        const image = s.fields.get('image') ?? s.value;
        const edits =
          pin === undefined
            ? []
            : s.tag === undefined
              ? yamlReplaceInScalar(image.doc, image.path, s.image, `${s.image}:${pin}`)
              : yamlReplaceInScalar(image.doc, image.path, `:${s.tag}`, `:${pin}`);
        const data = { image: s.image, service: s.name, file: basename(image.file), noTag: s.tag === undefined };
        findings.push({
          ...image.location('value'),
          ...(isCollectorImage(s.repository)
            ? { kind: 'collector', data }
            : isPrometheusImage(s.repository)
              ? { kind: 'prometheus', data }
              : { kind: 'other', data }),
          hint: pin
            ? `pin a version, e.g. ${s.repository}:${pin}, or the one you run now (docker compose images)`
            : 'pin the version you run now (docker compose images shows it)',
          fix: pin ? fix('unsafe', `pin ${s.repository} to ${pin}`, edits) : undefined,
        });
      }
    }
    return findings;
  },
});
