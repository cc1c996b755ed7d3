import { atLeast, compareVersions, parseVersion } from './versions.js';

/**
 * Images that run an OpenTelemetry Collector of their own, started by their entrypoint with their version and flags
 * (#14 class 4). A config mounted into them is run by that collector, not by a plain newest release: the rules judge
 * it at the embedded version and with the feature gates the entrypoint turns on.
 */
export interface EmbeddedCollector {
  /** The image repository, without registry or tag. */
  repository: string;
  /** Where the entrypoint reads the collector config from (a mount there replaces the image's own). */
  configPath: string;
  /** The collector build inside. */
  distribution: 'contrib';
  /** Collector version by image release, from the image's Dockerfile at each tag (`OPENTELEMETRY_COLLECTOR_VERSION`). */
  versions: [imageFrom: string, collector: string][];
  /** Feature gates the entrypoint passes, from the image release that added each. */
  featureGates: [imageFrom: string, gate: string][];
}

/**
 * grafana/otel-lgtm: docker/Dockerfile (collector version per tag) and docker/run-otelcol.sh, which starts
 * `otelcol-contrib --feature-gates service.profilesSupport --config=file:./otelcol-config.yaml` in /otel-lgtm since
 * v0.11.0 (grafana/docker-otel-lgtm PR #406, adding Pyroscope). Each entry: the first image release with that
 * collector; releases between two entries carry the earlier one's.
 */
const OTEL_LGTM: EmbeddedCollector = {
  repository: 'grafana/otel-lgtm',
  configPath: '/otel-lgtm/otelcol-config.yaml',
  distribution: 'contrib',
  versions: [
    ['0.7.3', '0.109.0'],
    ['0.7.5', '0.110.0'],
    ['0.7.6', '0.111.0'],
    ['0.7.7', '0.112.0'],
    ['0.8.0', '0.114.0'],
    ['0.8.1', '0.115.1'],
    ['0.8.2', '0.117.0'],
    ['0.8.3', '0.118.0'],
    ['0.8.4', '0.119.0'],
    ['0.8.6', '0.120.0'],
    ['0.9.0', '0.121.0'],
    ['0.9.2', '0.122.1'],
    ['0.10.0', '0.123.1'],
    ['0.11.0', '0.124.0'],
    ['0.11.1', '0.125.0'],
    ['0.11.2', '0.126.0'],
    ['0.11.4', '0.127.0'],
    ['0.11.5', '0.129.1'],
    ['0.11.6', '0.130.0'],
    ['0.11.7', '0.131.1'],
    ['0.11.8', '0.132.2'],
    ['0.11.9', '0.133.0'],
    ['0.11.10', '0.134.1'],
    ['0.11.11', '0.136.0'],
    ['0.11.12', '0.137.0'],
    ['0.11.13', '0.138.0'],
    ['0.11.16', '0.139.0'],
    ['0.14.0', '0.143.1'],
    ['0.17.0', '0.144.0'],
    ['0.18.0', '0.145.0'],
    ['0.19.0', '0.146.1'],
    ['0.20.0', '0.147.0'],
    ['0.24.0', '0.149.0'],
    ['0.25.0', '0.150.1'],
    ['0.27.0', '0.151.0'],
    ['0.29.0', '0.156.0'],
    ['0.30.0', '0.157.0'],
    ['0.31.0', '0.159.0'],
  ],
  featureGates: [['0.11.0', 'service.profilesSupport']],
};

export const EMBEDDED_COLLECTORS: readonly EmbeddedCollector[] = [OTEL_LGTM];

export function embeddedCollector(repository: string | undefined): EmbeddedCollector | undefined {
  const repo = repository?.replace(/^(docker\.io|index\.docker\.io)\//, '');
  return EMBEDDED_COLLECTORS.find((e) => e.repository === repo);
}

/** The image release a tag names (`0.28.0`, `v0.28.0`), or undefined for `latest`, a digest or anything else. */
function imageRelease(tag: string | undefined): string | undefined {
  const t = tag?.replace(/^v/, '');
  return t && parseVersion(t) ? t : undefined;
}

/**
 * The collector version inside an image at a tag; undefined when the tag names no known release (`latest`, a tag
 * newer than the table: the image may have moved on, so no version is claimed).
 */
export function embeddedCollectorVersion(e: EmbeddedCollector, tag: string | undefined): string | undefined {
  const release = imageRelease(tag);
  if (!release) return undefined;
  const newest = e.versions[e.versions.length - 1];
  if (compareVersions(release, newest[0]) > 0) return undefined;
  return [...e.versions].reverse().find(([from]) => atLeast(release, from))?.[1];
}

/**
 * Whether the image's entrypoint turns a feature gate on at a tag. An unknown tag (`latest`, a newer release) counts
 * as the newest release: gates are only ever added by these images, so it is the reading that reports less.
 */
export function embeddedGateOn(e: EmbeddedCollector, tag: string | undefined, gate: string): boolean {
  const release = imageRelease(tag);
  return e.featureGates.some(([from, g]) => g === gate && (!release || atLeast(release, from)));
}
