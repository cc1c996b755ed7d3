import type { Stack } from './stack.js';
import { assumedVersionText } from './assumed-version-text.js';
import { atLeast, compareVersions, NEWEST_KNOWN_COLLECTOR } from './versions.js';

/** "collector 0.115.1 (otel/opentelemetry-collector-contrib:0.115.1 in docker-compose.yml)": which version made the difference. */
export function collectorVersionText(stack: Stack): string {
  const c = stack.collector;
  const why =
    c.source === 'compose' || c.source === 'kubernetes'
      ? c.evidence
      : c.source === 'flag'
        ? '--collector-version'
        : c.source === 'config'
          ? 'the doctor config'
          : undefined;
  if (why === undefined)
    return assumedVersionText('collector', c.version, c.version === NEWEST_KNOWN_COLLECTOR, c.evidence ?? 'no pinned image or --collector-version');
  return `collector ${c.version} (${why})`;
}

/**
 * Whether the collector's version is known: a version tag on its image (or on an all-in-one image the doctor knows),
 * --collector-version or the doctor config. When it is not, the rules judge at the newest release, and a verdict that
 * holds only from some release on is at most a warning that says so (#14 class 4).
 */
export function collectorVersionKnown(stack: Stack): boolean {
  return stack.collector.source !== 'assumed';
}

/** "the collector's version here is not known: collector 0.165.0 (assumed: …)": what a softened verdict names. */
export function unknownCollectorText(stack: Stack): string {
  return `the collector's version here is not known: ${collectorVersionText(stack)}`;
}

/** The hint's addition for a verdict softened because the version is not known. */
export const PIN_COLLECTOR = 'pin the collector image to a version tag (or pass --collector-version) for a certain verdict';

/** Version inside [from, to) ; `to` optional. */
export function inRange(version: string, from: string, to?: string): boolean {
  return atLeast(version, from) && (to === undefined || compareVersions(version, to) < 0);
}

export { atLeast };
