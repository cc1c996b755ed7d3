import type { Stack } from './stack.js';
import { assumedVersionText } from './assumed-version-text.js';
import { atLeast, NEWEST_KNOWN_PROMETHEUS } from './versions.js';

/** "Prometheus 2.55.1 (prom/prometheus:v2.55.1 in docker-compose.yml)": which version made the difference (assumedVersionText's words when assumed). */
export function prometheusVersionText(stack: Stack): string {
  const p = stack.prometheusVersion;
  const why = p.source === 'compose' ? p.evidence : p.source === 'flag' ? '--prometheus-version' : p.source === 'config' ? 'the doctor config' : undefined;
  if (why === undefined)
    return assumedVersionText(
      'Prometheus',
      p.version,
      p.version === NEWEST_KNOWN_PROMETHEUS,
      p.evidence ?? 'no pinned prom/prometheus image or --prometheus-version',
    );
  return `Prometheus ${p.version} (${why})`;
}

/** Prometheus 3.x: UTF-8 names, the 3.x config loader (the oracle for 3.x is the loader, for 2.x `promtool check config`). */
export function isProm3(version: string): boolean {
  return atLeast(version, '3.0.0');
}
