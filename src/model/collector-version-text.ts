import type { Stack } from './stack.js';
import { atLeast, compareVersions } from './versions.js';

/** "collector 0.115.1 (otel/opentelemetry-collector-contrib:0.115.1 in docker-compose.yml)": which version made the difference. */
export function collectorVersionText(stack: Stack): string {
  const c = stack.collector;
  const why =
    c.source === 'compose'
      ? c.evidence
      : c.source === 'flag'
        ? '--collector-version'
        : c.source === 'config'
          ? 'the doctor config'
          : `assumed: no pinned image or --collector-version${c.evidence ? `; ${c.evidence}` : ''}`;
  return `collector ${c.version} (${why})`;
}

/** Version inside [from, to) ; `to` optional. */
export function inRange(version: string, from: string, to?: string): boolean {
  return atLeast(version, from) && (to === undefined || compareVersions(version, to) < 0);
}

export { atLeast };
