import type { ComponentKind } from './collector.js';
import type { Stack } from './stack.js';
import { nearest, typoDistance } from '../util/distance.js';
import { atLeast, compareVersions } from './versions.js';

/**
 * Which component types a collector build has: the official distributions' catalogues, the version windows
 * of components that were removed or renamed, and a custom build's builder manifest.
 *
 * Catalogues use the builder's module convention (the module path's last element without its kind suffix:
 * `memorylimiterprocessor` → `memorylimiter`), the same keys `readManifest` produces; configured types are
 * compared with underscores removed (`memory_limiter` → `memorylimiter`) plus the few aliases below.
 */

const words = (s: string) => s.trim().split(/\s+/);

/**
 * The core distribution (`otel/opentelemetry-collector`), from opentelemetry-collector-releases
 * `distributions/otelcol/manifest.yaml` at v0.139.0, without the removed components listed in LIFECYCLE.
 */
const CORE: Record<ComponentKind, string[]> = {
  receivers: words('nop otlp hostmetrics jaeger kafka prometheus zipkin'),
  processors: words('batch memorylimiter attributes resource span probabilisticsampler filter'),
  exporters: words('debug nop otlp otlphttp file kafka prometheus prometheusremotewrite zipkin'),
  connectors: words('forward'),
  extensions: words('zpages healthcheck pprof'),
};

/**
 * The contrib distribution (`otel/opentelemetry-collector-contrib`), from the releases repository's
 * `distributions/otelcol-contrib/manifest.yaml` (v0.135.0, contrib modules v0.136.0). Used to know which types
 * are contrib-only; the lifecycle entries below cover components that left it.
 */
const CONTRIB: Record<ComponentKind, string[]> = {
  receivers: words(`
    nop otlp activedirectoryds aerospike apache apachespark awscloudwatch awscontainerinsight awsecscontainermetrics
    awsfirehose awss3 awsxray azureblob azureeventhub azuremonitor bigip carbon chrony cloudflare cloudfoundry collectd
    couchdb datadog dockerstats elasticsearch envoyals expvar faro filelog filestats flinkmetrics fluentforward github
    googlecloudmonitoring googlecloudpubsub googlecloudspanner haproxy hostmetrics httpcheck influxdb iis jaeger jmx
    journald k8scluster k8sevents k8sobjects kafkametrics kafka kubeletstats libhoney loki memcached mongodbatlas mongodb
    mysql namedpipe netflow nginx nsxt ntp oracledb otlpjsonfile otelarrow podman postgresql prometheus
    prometheusremotewrite purefa purefb pulsar rabbitmq receivercreator redis riak saphana signalfx simpleprometheus
    skywalking snowflake solace splunkenterprise splunkhec stef sqlquery sqlserver sshcheck statsd syslog tcpcheck tcplog
    tlscheck udplog vcenter wavefront snmp webhookevent windowseventlog windowsperfcounters zipkin zookeeper`),
  processors: words(`
    batch memorylimiter attributes cumulativetodelta coralogix deltatocumulative deltatorate filter geoip groupbyattrs
    groupbytrace interval isolationforest k8sattributes logdedup metricsgeneration metricstarttime metricstransform
    probabilisticsampler redaction remotetap resourcedetection resource schema span sumologic tailsampling transform`),
  exporters: words(`
    debug nop otlp otlphttp alibabacloudlogservice awscloudwatchlogs awsemf awskinesis awsxray awss3 azureblob
    azuredataexplorer azuremonitor bmchelix carbon cassandra clickhouse coralogix datadog dataset doris elasticsearch faro
    file googlecloud googlecloudpubsub googlemanagedprometheus honeycombmarker influxdb kafka loadbalancing logicmonitor
    logzio mezmo opensearch otelarrow prometheus prometheusremotewrite pulsar rabbitmq sapm sentry signalfx splunkhec stef
    sumologic syslog tencentcloudlogservice tinybird zipkin`),
  connectors: words(`
    forward count datadog exceptions failover grafanacloud otlpjson roundrobin routing servicegraph spanmetrics sum
    signaltometrics`),
  extensions: words(`
    zpages ack asapauth awsproxy azureauth basicauth bearertokenauth cgroupruntime datadog
    awscloudwatchmetricstreamsencoding awslogsencoding googlecloudlogentryencoding jaegerencoding jsonlogencoding
    otlpencoding skywalkingencoding textencoding zipkinencoding googleclientauth headerssetter healthcheck httpforwarder
    jaegerremotesampling oauth2clientauth dockerobserver ecsobserver ecstaskobserver hostobserver k8sobserver
    kafkatopicsobserver oidcauth opamp pprof sigv4auth filestorage dbstorage redisstorage sumologic k8sleaderelector`),
};

/**
 * Every type an official distribution (core or contrib) has shipped: the union of the releases repository's
 * `distributions/otelcol/manifest.yaml` and `distributions/otelcol-contrib/manifest.yaml` at every release tag from
 * v0.34.0 to v0.159.0 (module convention, as above). A type outside it is unknown to all those releases: a typo, or
 * a component of some other build.
 */
const EVER_SHIPPED: Record<ComponentKind, string[]> = {
  receivers: words(`
    activedirectoryds aerospike apache apachespark awscloudwatch awscontainerinsight awsecscontainermetrics
    awsfirehose awslambda awss3 awsxray azureblob azureeventhub azuremonitor bigip carbon chrony ciscoos cloudflare
    cloudfoundry collectd couchdb datadog dockerstats dotnetdiagnostics elasticsearch envoyals expvar faro file
    filelog filestats flinkmetrics fluentforward github gitlab googlecloudmonitoring googlecloudpubsub
    googlecloudspanner haproxy hostmetrics httpcheck icmpcheck iis influxdb jaeger jmx journald k8scluster
    k8sevents k8sobjects kafka kafkametrics kubeletstats libhoney loki macosunifiedlogging memcached mongodb
    mongodbatlas mysql namedpipe netflow nginx nop nsxt ntp obi opencensus oracledb otelarrow otlp otlpjsonfile
    podman postgresql pprof prometheus prometheusexec prometheusremotewrite pulsar purefa purefb rabbitmq
    receivercreator redis riak saphana sapm signalfx simpleprometheus skywalking snmp snowflake solace
    splunkenterprise splunkhec sqlquery sqlserver sshcheck statsd stef syslog systemd tcpcheck tcplog tlscheck
    udplog vcenter wavefront webhookevent windowseventlog windowsperfcounters windowsservice yanggrpc zipkin
    zookeeper`),
  processors: words(`
    attributes batch cardinalityguardian coralogix cumulativetodelta datadog deltatocumulative deltatorate drain
    filter genainormalizer geoip groupbyattrs groupbytrace interval isolationforest k8sattributes logdedup
    memorylimiter metricsgeneration metricstarttime metricstransform probabilisticsampler redaction remoteobserver
    remotetap resource resourcedetection routing schema servicegraph span spanmetrics sumologic tailsampling
    transform unroll`),
  exporters: words(`
    alibabacloudlogservice awscloudwatchlogs awsemf awskinesis awsprometheusremotewrite awss3 awsxray azureblob
    azuredataexplorer azuremonitor bmchelix carbon cassandra clickhouse coralogix datadog dataset debug doris
    dynatrace elastic elasticsearch f5cloud faro file googlecloud googlecloudpubsub googlecloudstorage
    googlemanagedprometheus honeycomb honeycombmarker humio influxdb instana jaeger jaegerthrifthttp kafka
    loadbalancing logging logicmonitor logzio loki mezmo newrelic nop opencensus opensearch otelarrow otlp otlphttp
    parquet prometheus prometheusremotewrite pulsar rabbitmq sapm sentry signalfx skywalking splunkhec stackdriver
    stef sumologic syslog tanzuobservability tencentcloudlogservice tinybird zipkin`),
  connectors: words(`
    count datadog exceptions failover forward grafanacloud otlpjson roundrobin routing servicegraph signaltometrics
    spanmetrics sum`),
  extensions: words(`
    ack asapauth awscloudwatchmetricstreamsencoding awsiamdbauth awslogsencoding awsproxy azureauth azureencoding
    ballast basicauth bearertokenauth cgroupruntime datadog dbstorage dockerobserver ecsobserver ecstaskobserver
    filestorage fluentbit googleclientauth googlecloudlogentryencoding headerssetter healthcheck hostobserver
    httpforwarder jaegerencoding jaegerremotesampling jsonlogencoding k8sleaderelector k8sobserver
    kafkatopicsobserver oauth2clientauth oidcauth opamp otlpencoding pebbletailstorage pprof redisstorage sigv4auth
    skywalkingencoding storage sumologic textencoding zipkinencoding zpages`),
};

/** The first release EVER_SHIPPED does not cover: from it on, a collector may have a type the doctor does not know. */
export const TYPES_UNKNOWN_FROM = '0.160.0';

/** Configured types whose module name differs by more than underscores. */
const MODULE_OF: Record<string, string> = {
  'exporters:otlpgrpc': 'otlp',
  'exporters:jaegerthrift': 'jaegerthrifthttp',
  'receivers:prometheussimple': 'simpleprometheus',
  'receivers:podmanstats': 'podman',
  'receivers:awscontainerinsightreceiver': 'awscontainerinsight',
  'extensions:oidc': 'oidcauth',
  'extensions:asapclient': 'asapauth',
  'extensions:oauth2client': 'oauth2clientauth',
  'extensions:memoryballast': 'ballast',
};

/** `kind:module` for a configured type, the key manifests and catalogues use. */
export function moduleKey(kind: ComponentKind, type: string): string {
  const key = `${kind}:${type.toLowerCase().replace(/_/g, '')}`;
  return MODULE_OF[key] !== undefined ? `${kind}:${MODULE_OF[key]}` : key;
}

const catalogue = (c: Record<ComponentKind, string[]>) => new Set(Object.entries(c).flatMap(([kind, names]) => names.map((n) => `${kind}:${n}`)));
const CORE_SET = catalogue(CORE);
const CONTRIB_SET = catalogue(CONTRIB);
const EVER_SET = catalogue(EVER_SHIPPED);

/**
 * Types written otherwise than their module's name (`healthcheck` is configured as `health_check`), so a suggestion
 * names what a config writes. Others are written as the module's name.
 */
const TYPE_NAME: Record<string, string> = {
  'extensions:healthcheck': 'health_check',
  'extensions:filestorage': 'file_storage',
  'extensions:dbstorage': 'db_storage',
  'extensions:k8sobserver': 'k8s_observer',
  'extensions:dockerobserver': 'docker_observer',
  'extensions:hostobserver': 'host_observer',
  'extensions:headerssetter': 'headers_setter',
  'extensions:oauth2clientauth': 'oauth2client',
  'extensions:oidcauth': 'oidc',
  'extensions:asapauth': 'asapclient',
  'processors:memorylimiter': 'memory_limiter',
  'processors:probabilisticsampler': 'probabilistic_sampler',
  'processors:tailsampling': 'tail_sampling',
  'receivers:k8scluster': 'k8s_cluster',
  'receivers:k8sevents': 'k8s_events',
  'receivers:dockerstats': 'docker_stats',
  'receivers:receivercreator': 'receiver_creator',
  'receivers:splunkhec': 'splunk_hec',
  'receivers:simpleprometheus': 'prometheus_simple',
  'receivers:activedirectoryds': 'active_directory_ds',
  'receivers:podman': 'podman_stats',
  'exporters:splunkhec': 'splunk_hec',
};

/**
 * How a lifecycle component left (or changed): `logging` and `loki` have their own fixes and words, `removed` is
 * any other component dropped from the distributions, `renamed` a type name from the other side of a rename.
 */
export type Retired = 'logging' | 'loki' | 'removed' | 'renamed';

/**
 * A component that entered, left or changed name in the official distributions (collector.md §1, §2.1, §2.4,
 * §2.9, §2.10). Versions are the first release without (`removedIn`) or with (`addedIn`) it.
 */
export interface Lifecycle {
  kind: ComponentKind;
  type: string;
  /** Official distributions that shipped it. */
  distributions: ('core' | 'contrib')[];
  deprecatedIn?: string;
  /** In words when no release can be named. */
  deprecatedWhen?: string;
  removedIn?: string;
  /** Releases in between that lacked it: [from, to). */
  gaps?: [string, string][];
  addedIn?: string;
  replacement: string;
  retired: Retired;
  source: string;
}

export const LIFECYCLE: Lifecycle[] = [
  {
    kind: 'exporters',
    type: 'logging',
    distributions: ['core', 'contrib'],
    deprecatedIn: '0.86.0',
    removedIn: '0.111.0',
    replacement: 'the `debug` exporter',
    retired: 'logging',
    source: 'collector.md §2.1',
  },
  {
    kind: 'exporters',
    type: 'loki',
    distributions: ['contrib'],
    deprecatedWhen: 'July 2024',
    removedIn: '0.131.0',
    gaps: [['0.122.0', '0.123.0']],
    replacement: '`otlphttp` to Loki’s OTLP endpoint `http://<loki>:3100/otlp`',
    retired: 'loki',
    source: 'collector.md §2.4',
  },
  {
    kind: 'extensions',
    type: 'memory_ballast',
    distributions: ['core', 'contrib'],
    deprecatedIn: '0.92.0',
    removedIn: '0.108.0',
    replacement: 'the GOMEMLIMIT environment variable (about 80% of the memory limit) instead, and delete the extension',
    retired: 'removed',
    source: 'collector.md §2.9',
  },
  {
    kind: 'exporters',
    type: 'jaeger',
    distributions: ['core', 'contrib'],
    removedIn: '0.85.0',
    replacement: 'the `otlp` exporter to Jaeger’s OTLP port (4317)',
    retired: 'removed',
    source: 'collector.md §1, §2.10',
  },
  {
    kind: 'exporters',
    type: 'jaeger_thrift',
    distributions: ['contrib'],
    removedIn: '0.85.0',
    replacement: 'the `otlphttp` exporter to Jaeger’s OTLP/HTTP port (4318)',
    retired: 'removed',
    source: 'collector.md §2.10',
  },
  {
    kind: 'processors',
    type: 'spanmetrics',
    distributions: ['contrib'],
    removedIn: '0.96.0',
    replacement: 'the `spanmetrics` connector',
    retired: 'removed',
    source: 'collector.md §1, §2.10',
  },
  {
    kind: 'processors',
    type: 'servicegraph',
    distributions: ['contrib'],
    removedIn: '0.94.0',
    replacement: 'the `servicegraph` connector',
    retired: 'removed',
    source: 'collector.md §2.10',
  },
  {
    kind: 'receivers',
    type: 'opencensus',
    distributions: ['core', 'contrib'],
    removedIn: '0.132.0',
    replacement: 'the `otlp` receiver (OpenCensus clients should move to OTLP)',
    retired: 'removed',
    source: 'collector.md §1, §2.10',
  },
  {
    kind: 'exporters',
    type: 'opencensus',
    distributions: ['core', 'contrib'],
    removedIn: '0.132.0',
    replacement: 'the `otlp` exporter',
    retired: 'removed',
    source: 'collector.md §1, §2.10',
  },
];

/**
 * Types renamed with the old name kept as a deprecated alias (the collector logs `"<old>" alias is deprecated;
 * use "<new>" instead` at startup, service/internal/builders/builders.go). Before `since` the new name is an
 * unknown type.
 */
export interface Rename {
  kind: ComponentKind;
  old: string;
  type: string;
  since: string;
  distributions: ('core' | 'contrib')[];
  source: string;
}

export const RENAMES: Rename[] = [
  {
    kind: 'exporters',
    old: 'otlp',
    type: 'otlp_grpc',
    since: '0.144.0',
    distributions: ['core', 'contrib'],
    source: 'collector.md §1, §2.10 (#14403, #14396)',
  },
  {
    kind: 'exporters',
    old: 'otlphttp',
    type: 'otlp_http',
    since: '0.144.0',
    distributions: ['core', 'contrib'],
    source: 'collector.md §1, §2.10 (#14403, #14396)',
  },
  {
    kind: 'exporters',
    old: 'prometheusremotewrite',
    type: 'prometheus_remote_write',
    since: '0.154.0',
    distributions: ['core', 'contrib'],
    source:
      'contrib exporter/prometheusremotewriteexporter metadata.yaml: `type: prometheusremotewrite` at v0.153.0, `type: prometheus_remote_write` + `deprecated_type: prometheusremotewrite` at v0.154.0',
  },
  {
    kind: 'processors',
    old: 'deltatocumulative',
    type: 'delta_to_cumulative',
    since: '0.158.0',
    distributions: ['contrib'],
    source:
      'contrib processor/deltatocumulativeprocessor metadata.yaml: `type: deltatocumulative` at v0.157.0, `type: delta_to_cumulative` + `deprecated_type: deltatocumulative` at v0.158.0',
  },
];

for (const r of RENAMES) {
  LIFECYCLE.push({
    kind: r.kind,
    type: r.type,
    distributions: r.distributions,
    addedIn: r.since,
    replacement: `\`${r.old}\` (the name before v${r.since})`,
    retired: 'renamed',
    source: r.source,
  });
}

export function renameOf(kind: ComponentKind, type: string): { rename: Rename; isOld: boolean } | undefined {
  const r = RENAMES.find((x) => x.kind === kind && (x.old === type || x.type === type));
  return r && { rename: r, isOld: r.old === type };
}

/** Whether a type as written is this component under either of its names (`delta_to_cumulative` is `deltatocumulative`). */
export function isType(kind: ComponentKind, type: string, name: string): boolean {
  if (type === name) return true;
  const r = renameOf(kind, name);
  return r !== undefined && (r.rename.old === type || r.rename.type === type);
}

/** The otlphttp exporter's name at a version: `otlp_http` from v0.144.0. */
export const OTLP_HTTP_RENAMED_FROM = RENAMES[1].since;

/** The lifecycle entry of a type as written (exact name: `otlphttp` is not `otlp_http`). */
export function lifecycleOf(kind: ComponentKind, type: string): Lifecycle | undefined {
  return LIFECYCLE.find((l) => l.kind === kind && l.type === type);
}

/** Whether the official distributions ship a lifecycle component at a version (ignoring core vs contrib). */
export function shippedAt(l: Lifecycle, version: string): boolean {
  if (l.addedIn && compareVersions(version, l.addedIn) < 0) return false;
  if (l.removedIn && atLeast(version, l.removedIn)) return false;
  return !(l.gaps ?? []).some(([from, to]) => atLeast(version, from) && compareVersions(version, to) < 0);
}

/** Why a component is missing from the build in force, or undefined when the build has it (or nothing says). */
export type Absence = { reason: 'version'; lifecycle: Lifecycle } | { reason: 'distribution'; distribution: 'core' } | { reason: 'manifest' };

/**
 * Whether the collector in force has a component type. A custom build (--collector-manifest) is decided by its
 * manifest alone; the core image by the core catalogue (for types known to be contrib-only) and the version
 * windows; contrib and unknown distributions by the version windows only (nothing is guessed about types the
 * catalogue does not know, nor about core vs contrib when no image names the distribution).
 */
export function absence(stack: Stack, kind: ComponentKind, type: string): Absence | undefined {
  const c = stack.collector;
  const key = moduleKey(kind, type);
  const l = lifecycleOf(kind, type);
  if (c.distribution === 'custom' && c.manifestComponents) {
    if (c.manifestComponents.has(key)) return l?.addedIn && !shippedAt(l, c.version) ? { reason: 'version', lifecycle: l } : undefined;
    return { reason: 'manifest' };
  }
  const byVersion: Absence | undefined = l && !shippedAt(l, c.version) ? { reason: 'version', lifecycle: l } : undefined;
  // With the version only assumed, a build that lacks the component at every version is the certain reason: say it first.
  if (byVersion && c.source !== 'assumed') return byVersion;
  if (c.distribution === 'core') {
    if (l && !l.distributions.includes('core')) return { reason: 'distribution', distribution: 'core' };
    if (!l && CONTRIB_SET.has(key) && !CORE_SET.has(key)) return { reason: 'distribution', distribution: 'core' };
  }
  return byVersion;
}

/** Whether the catalogue knows the type as a contrib-only component (for messages and tests). */
export function isContribOnly(kind: ComponentKind, type: string): boolean {
  const key = moduleKey(kind, type);
  return CONTRIB_SET.has(key) && !CORE_SET.has(key);
}

/** "the core distribution", "the custom build (--collector-manifest)"; the version text names the image. */
export function distributionText(stack: Stack): string {
  const c = stack.collector;
  return c.distribution === 'custom' ? 'the custom build (--collector-manifest)' : `the ${c.distribution} distribution`;
}

/** A type as the collector checks it before looking it up: a letter, then letters, digits and underscores. */
const TYPE_SYNTAX = /^[a-zA-Z][0-9a-zA-Z_]{0,62}$/;

/**
 * The name a known type is configured by, when the type as written is that type spelt otherwise (`healthcheck` for
 * `health_check`: the module's name, which the collector does not accept); else undefined.
 */
export function misspeltName(kind: ComponentKind, type: string): string | undefined {
  const name = TYPE_NAME[moduleKey(kind, type)];
  return name !== undefined && name !== type ? name : undefined;
}

/**
 * Whether a type is unknown to every official release the doctor knows (those before TYPES_UNKNOWN_FROM) under any of its
 * names: a typo, or a component of another build. False for a type the collector rejects as a malformed id.
 */
export function unknownToReleases(kind: ComponentKind, type: string): boolean {
  if (!TYPE_SYNTAX.test(type) || lifecycleOf(kind, type)) return false;
  return !EVER_SET.has(moduleKey(kind, type)) || misspeltName(kind, type) !== undefined;
}

/**
 * The types of a kind the build in force has, as a config writes them: a custom build's manifest, the core image's
 * catalogue, or every current official type; less those a lifecycle entry says this version lacks.
 */
function buildTypes(stack: Stack, kind: ComponentKind): string[] {
  const c = stack.collector;
  const keys =
    c.distribution === 'custom' && c.manifestComponents ? c.manifestComponents : c.distribution === 'core' ? CORE_SET : new Set([...CORE_SET, ...CONTRIB_SET]);
  return [...keys]
    .filter((k) => k.startsWith(`${kind}:`))
    .map((k) => TYPE_NAME[k] ?? k.slice(kind.length + 1))
    .filter((name) => {
      const l = lifecycleOf(kind, name);
      return !l || shippedAt(l, c.version);
    });
}

/** The build's types nearest to a misspelt one ("did you mean"), nearest first; empty when none is close. */
export function nearestTypes(stack: Stack, kind: ComponentKind, type: string): string[] {
  return nearest(type.toLowerCase(), buildTypes(stack, kind), typoDistance(type), 'transpositions')?.names ?? [];
}
