import { basename, dirname, join } from 'node:path';
import type { Document } from 'yaml';
import type { FileKind, OtherToolFile } from '../discover/classify.js';
import { diskReader, type Reader } from '../load/read.js';
import { parseYaml, parseYamlDocuments, type YamlDocument } from '../load/yaml.js';
import { type KustomizeReader, NotRead } from './kustomize/build.js';
import { type KustomizeUnit, kustomizeUnits } from './kustomize/units.js';
import type { EmbeddedSource, SourceFile } from '../load/source.js';
import { collectorContainerEnvironment, collectorContainers, kustomizePatchFiles, loadKubernetes, type KubernetesModel } from './kubernetes.js';
import { embeddedInputs } from './kubernetes-embedded.js';
import { loadCollector, type CollectorConfig } from './collector.js';
import {
  COMPOSE_FILE_NAMES,
  COMPOSE_OVERRIDE_NAMES,
  isCollectorImage,
  isLokiImage,
  isPrometheusImage,
  loadComposeProject,
  splitImage,
  type ComposeFile,
  type ComposeService,
} from './compose.js';
import { loadPrometheus, type PrometheusConfig } from './prometheus.js';
import { loadLoki, type LokiConfig } from './loki.js';
import { loadGrafana, type GrafanaStack } from './grafana.js';
import { composeEnvironment, type CollectorEnvironment } from './collector-env.js';
import { describeAssumed } from './compose-interpolation.js';
import { NEWEST_KNOWN_COLLECTOR, NEWEST_KNOWN_PROMETHEUS, parseVersion } from './versions.js';
import { Facts } from './facts.js';
import { embeddedCollector, embeddedCollectorVersion } from './embedded-collectors.js';
import { type ChartValuesInput, chartValuesInput } from './helm/embedded.js';
import { operatorScrapeConfigs, type OperatorScrapeConfig } from './kubernetes-scrape.js';

export type Distribution = 'core' | 'contrib' | 'k8s' | 'custom' | 'unknown';

export interface ComponentVersion {
  version: string;
  /** Where the version came from; `assumed` means nothing said, so version-gated rules stay careful. */
  source: 'compose' | 'kubernetes' | 'flag' | 'config' | 'assumed';
  /** For messages: "otel/opentelemetry-collector-contrib:0.115.1 in docker-compose.yml". */
  evidence?: string;
}

export interface StackFile {
  kind: FileKind;
  source: SourceFile;
  /** The YAML Document parsed while classifying the file; loading reuses it rather than parsing again. */
  yamlDoc?: Document.Parsed;
  /** Every document of a Kubernetes manifest stream (kind `kubernetes`). */
  yamlDocs?: Document.Parsed[];
  /** Another tool's config (kind `other-tool`): which, and what says so. */
  other?: OtherToolFile;
}

/** The non-Claude part of a workspace: collector, Prometheus and compose files with their models and versions. */
export interface Stack {
  files: StackFile[];
  /** What rules compute from the stack alone, once (its topology). */
  facts: Facts;
  /**
   * Every YAML stack file, parsed (also those that fail to parse); a Kubernetes manifest's documents as `<path>#<n>`,
   * and the configs written inside manifests by their own names (`kubernetes-embedded.ts`).
   */
  yaml: Map<string, YamlDocument>;
  /** The Kubernetes objects of every manifest, and of the kustomize builds the doctor models in place of the files they read. */
  kubernetes: KubernetesModel;
  /** Every root kustomization's build: its objects, or why kustomize refuses it or the doctor does not model it. */
  kustomize: KustomizeUnit[];
  /**
   * Configs written as strings inside manifests, and the configs the collector chart renders from values files, by
   * their path (`<manifest>#<where>`, `<values>#config`): the engine reports them in the manifest or values file.
   */
  embedded: Map<string, EmbeddedSource>;
  /** Values files of the OpenTelemetry Collector chart with the chart's reading of them (`model/helm/`). */
  helmValues: ChartValuesInput[];
  collectors: CollectorConfig[];
  /**
   * The compose projects, as `docker compose` loads them: a main file with its override file, includes and
   * extended files (each file belongs to the projects that read it; one only read by another is no project).
   */
  composes: ComposeFile[];
  prometheus: PrometheusConfig[];
  /**
   * The scrape jobs the Prometheus Operator generates from the manifests' ServiceMonitors and PodMonitors, as a
   * prometheus.yml per manifest (`kubernetes-scrape.ts`); the Prometheus rules judge them, not every file rule.
   */
  operatorScrapes: OperatorScrapeConfig[];
  loki: LokiConfig[];
  /** Loki's version, from its compose image tag; undefined when no tag says (Loki has no version flag here). */
  lokiVersion?: ComponentVersion;
  collector: ComponentVersion & { distribution: Distribution; manifestComponents?: Set<string> };
  prometheusVersion: ComponentVersion;
  /** Grafana provisioning (datasources, dashboard providers) and dashboards. */
  grafana: GrafanaStack;
  /** The collector's environment, when known (--collector-env-file, or its compose service). */
  collectorEnvironment?: CollectorEnvironment;
}

export interface StackOptions {
  collectorVersion?: string;
  prometheusVersion?: string;
  /** Component types of a custom build, from its builder manifest. */
  manifestComponents?: Set<string>;
  configVersions?: { collector?: string; prometheus?: string };
  collectorEnvironment?: CollectorEnvironment;
  /**
   * How files outside the scan's list are read (a kustomize build's generator files, JSON patches and bases, compose
   * `.env` and `env_file:`): the disk by default, the fix loop's pending contents over it on its re-analysis.
   */
  reader?: Reader;
}

const clean = (v: string) => v.replace(/^v/, '');

/**
 * `earlier`: a stack built from some of the same files (their compose files alone, which say how the others are
 * mounted): the YAML of files it parsed, and its compose projects when the compose files are the same, are taken
 * from it rather than made again.
 */
export function buildStack(files: StackFile[], opts: StackOptions = {}, earlier?: Stack): Stack {
  const yaml = new Map<string, YamlDocument>();
  const earlierFiles = new Set(earlier?.files);
  const parsed = (f: StackFile) => (earlierFiles.has(f) ? earlier?.yaml.get(f.source.path) : undefined) ?? parseYaml(f.source, f.yamlDoc);
  const collectors: CollectorConfig[] = [];
  const prometheus: PrometheusConfig[] = [];
  const loki: LokiConfig[] = [];
  const kubeDocs: YamlDocument[] = [];
  const helmValues: ChartValuesInput[] = [];
  for (const f of files) {
    if (f.kind === 'claude-settings' || f.kind === 'dashboard' || f.kind === 'env-file') continue;
    if (f.kind === 'kubernetes') {
      (f.yamlDocs ?? []).forEach((d, i) => {
        const y = parseYaml(f.source, d);
        yaml.set(`${f.source.path}#${i}`, y);
        kubeDocs.push(y);
      });
      continue;
    }
    // Another tool's YAML is parsed (its credentials are masked like any file's) and read by no model.
    if (f.kind === 'other-tool' && !f.yamlDoc) continue;
    const y = parsed(f);
    yaml.set(f.source.path, y);
    if (f.kind === 'collector') collectors.push(loadCollector(y));
    else if (f.kind === 'helm-collector-values') helmValues.push(chartValuesInput(y));
    else if (f.kind === 'prometheus') prometheus.push(loadPrometheus(y));
    else if (f.kind === 'loki') loki.push(loadLoki(y));
  }
  const kustomizations = files.filter((f) => f.kind === 'kustomization').flatMap((f) => yaml.get(f.source.path) ?? []);
  const reader = opts.reader ?? diskReader;
  const kustomize = kustomizeUnits(kustomizations, stackReader(files, yaml, reader));
  const kubernetes = loadKubernetes(kubeDocs, kustomizePatchFiles(kustomizations), builtObjects(kustomize));
  const embedded = new Map<string, EmbeddedSource>();
  for (const d of kustomize.flatMap((u) => u.documents)) embedded.set(d.source.path, d.source as EmbeddedSource);
  const grafanaInputs: { kind: FileKind; source: SourceFile }[] = [...files];
  for (const e of embeddedInputs(kubernetes)) {
    if ('host' in e.source) embedded.set(e.source.path, e.source as EmbeddedSource);
    if (e.yaml) yaml.set(e.yaml.name ?? e.source.path, e.yaml);
    if (e.kind === 'collector' && e.yaml) collectors.push(loadCollector(e.yaml));
    else if (e.kind === 'prometheus' && e.yaml) prometheus.push(loadPrometheus(e.yaml));
    else grafanaInputs.push({ kind: e.kind, source: e.source });
  }
  // The config the chart renders is a collector config like a file's, its findings in the values file.
  for (const h of helmValues) {
    if (!h.config) continue;
    embedded.set(h.config.source.path, h.config.source);
    yaml.set(h.config.source.path, h.config.yaml);
    collectors.push(loadCollector(h.config.yaml));
  }
  const operatorScrapes = operatorScrapeConfigs(kubernetes);
  for (const o of operatorScrapes) embedded.set(o.source.path, o.source);
  const composeFiles = files.filter((f) => f.kind === 'compose');
  const sameComposeFiles =
    earlier &&
    sameList(
      composeFiles,
      earlier.files.filter((f) => f.kind === 'compose'),
    );
  const composes = sameComposeFiles
    ? earlier.composes
    : composeProjects(
        composeFiles.flatMap((f) => yaml.get(f.source.path) ?? []),
        reader,
      );
  return {
    files,
    facts: new Facts(),
    yaml,
    collectors,
    composes,
    prometheus,
    operatorScrapes,
    loki,
    lokiVersion: lokiVersion(composes),
    kubernetes,
    kustomize,
    embedded,
    helmValues,
    collector: kubernetesCollectorVersion(kubernetes, composes, opts) ?? chartCollectorVersion(helmValues, composes, opts) ?? collectorVersion(composes, opts),
    prometheusVersion: prometheusVersion(composes, opts),
    grafana: loadGrafana(grafanaInputs, yaml),
    collectorEnvironment:
      opts.collectorEnvironment ??
      collectorServiceEnvironment(composes) ??
      (collectorService(composes) ? undefined : (collectorContainerEnvironment(kubernetes) ?? chartEnvironment(helmValues))),
  };
}

const sameList = <T>(a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The files a kustomize build reads: the scan's (as parsed for the stack, so both share their values), else through
 * `reader` (a generator's env file, a JSON patch: files the scan does not classify).
 */
function stackReader(files: StackFile[], yaml: Map<string, YamlDocument>, reader: Reader): KustomizeReader {
  const byPath = new Map(files.map((f) => [f.source.path, f]));
  // The path with every symlink resolved (itself when it cannot be resolved).
  const realPath = (path: string) => reader.realPath(path) ?? path;
  // Only folders of the scan's kustomizations: a base elsewhere (another checkout, ../../..) is not read.
  const folders = files.filter((f) => f.kind === 'kustomization').map((f) => dirname(f.source.path));
  // Their real paths: a symlink inside them to a file elsewhere (~/.kube/config) is outside too, and never read.
  const realFolders = folders.map(realPath);
  const unlisted = (path: string) => {
    if (!folders.some((d) => path.startsWith(`${d}/`))) throw new NotRead(`it reads ${path}, outside the scanned kustomizations' folders`);
    if (!reader.isFile(path)) return undefined;
    const real = realPath(path);
    if (!realFolders.some((d) => real.startsWith(`${d}/`)))
      throw new NotRead(`it reads ${path}, a symlink to a file outside the scanned kustomizations' folders`);
    const r = reader.text(path);
    if (!r.ok) throw new NotRead(`${path} ${r.problem.reason}`);
    return r.source;
  };
  return {
    documents: (path) => {
      const f = byPath.get(path);
      if (f?.kind === 'kubernetes') return (f.yamlDocs ?? []).map((_, i) => yaml.get(`${path}#${i}`)!);
      const own = yaml.get(path);
      if (own) return [own];
      const source = f?.source ?? unlisted(path);
      return source && parseYamlDocuments(source).map((d) => parseYaml(source, d));
    },
    text: (path) => (byPath.get(path)?.source ?? unlisted(path))?.text,
    isDir: (path) => files.some((f) => f.source.path.startsWith(`${path}/`)) || reader.isDirectory(path),
  };
}

/** The objects of the builds the doctor models, and the files they stand in for (unless a build it does not model reads them too). */
function builtObjects(units: KustomizeUnit[]): { documents: YamlDocument[]; replaces: Set<string> } {
  const modelled = units.filter((u) => 'objects' in u.build);
  const kept = new Set(units.filter((u) => !('objects' in u.build)).flatMap((u) => [...u.build.read]));
  const replaces = new Set(modelled.flatMap((u) => [...u.build.read]).filter((p) => !kept.has(p)));
  return { documents: modelled.flatMap((u) => u.documents), replaces };
}

/**
 * The compose files grouped into projects as `docker compose` in their folder would load them: the folder's compose
 * file (the first of compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml) with its override file
 * (compose.override.yml …). A file another project reads (`include:`, `extends: {file:}`) is part of that project
 * and not one of its own. Other files (`-f` sets such as docker-compose.prod.yml) are each a project.
 */
function composeProjects(docs: YamlDocument[], reader: Reader): ComposeFile[] {
  const byPath = new Map(docs.map((d) => [d.source.path, d]));
  const inFolder = (d: YamlDocument, names: string[]) => names.map((n) => byPath.get(join(dirname(d.source.path), n))).find((x) => x !== undefined);
  const overrides = new Set<string>();
  const projects: ComposeFile[] = [];
  for (const d of docs) {
    if (inFolder(d, COMPOSE_FILE_NAMES) !== d) continue;
    const override = inFolder(d, COMPOSE_OVERRIDE_NAMES);
    if (override) overrides.add(override.source.path);
    projects.push(loadComposeProject(override ? [d, override] : [d], (p) => byPath.get(p), undefined, reader));
  }
  for (const d of docs)
    if (!overrides.has(d.source.path) && inFolder(d, COMPOSE_FILE_NAMES) !== d) projects.push(loadComposeProject([d], (p) => byPath.get(p), undefined, reader));
  // A file another project reads is no project of its own (unless each reads the other, which compose refuses).
  const readBy = (p: ComposeFile) => projects.filter((q) => q !== p && q.files.some((f) => f.file === p.file));
  return projects
    .filter((p) => readBy(p).every((q) => p.files.some((f) => f.file === q.file)))
    .sort((a, b) => docs.findIndex((d) => d.source.path === a.file) - docs.findIndex((d) => d.source.path === b.file));
}

/** The file a service's image is written in (an override file's image wins over the main file's), for evidence. */
const imageFile = (ref: { s: ComposeService; c: ComposeFile }) => basename(ref.s.fields.get('image')?.file ?? ref.c.file);

function collectorService(composes: ComposeFile[]) {
  return composes.flatMap((c) => c.services.map((s) => ({ s, c }))).find(({ s }) => isCollectorImage(s.repository));
}

/** A service of an image that runs a collector of its own (grafana/otel-lgtm). */
function embeddedCollectorService(composes: ComposeFile[]) {
  for (const c of composes) {
    for (const s of c.services) {
      const e = embeddedCollector(s.repository);
      if (e) return { s, c, e };
    }
  }
  return undefined;
}

function collectorServiceEnvironment(composes: ComposeFile[]): CollectorEnvironment | undefined {
  const found = collectorService(composes);
  return found ? composeEnvironment(found.c, found.s) : undefined;
}

function collectorVersion(composes: ComposeFile[], opts: StackOptions): Stack['collector'] {
  const service = collectorService(composes);
  const embedded = service ? undefined : embeddedCollectorService(composes);
  if (embedded && !opts.collectorVersion) {
    // An all-in-one image runs its own collector: its version is the image's, not the newest release.
    const base = { distribution: embedded.e.distribution, manifestComponents: opts.manifestComponents } as const;
    const inside = embeddedCollectorVersion(embedded.e, embedded.s.tag);
    const image = `${embedded.s.image} in ${imageFile(embedded)}`;
    if (inside) return { ...base, version: inside, source: 'compose', evidence: `${image}, which runs collector ${inside}` };
    return { ...base, version: NEWEST_KNOWN_COLLECTOR, source: 'assumed', evidence: `${image}: its collector version is not known for this tag` };
  }
  const repo = service?.s.repository ?? '';
  const distribution: Distribution = opts.manifestComponents
    ? 'custom'
    : /contrib$/.test(repo)
      ? 'contrib'
      : /k8s$/.test(repo)
        ? 'k8s'
        : service
          ? 'core'
          : 'unknown';
  const base = { distribution, manifestComponents: opts.manifestComponents };
  if (opts.collectorVersion) return { ...base, version: clean(opts.collectorVersion), source: 'flag' };
  const tag = service?.s.tag;
  // An image compose builds here (`build:`) is named by its tag, but what it holds comes from the Dockerfile.
  const built = service?.s.raw.build !== undefined;
  // A tag from `${VAR:-0.115.1}` (or .env) is what compose takes unless the shell sets the variable: the likely version, not a known one.
  const fromVariable = service ? imageAssumption(service.c, service.s) : undefined;
  if (service && tag && parseVersion(tag) && !built && fromVariable)
    return { ...base, version: clean(tag), source: 'assumed', evidence: `${service.s.image} in ${imageFile(service)}, ${fromVariable}` };
  if (service && tag && parseVersion(tag) && !built)
    return { ...base, version: clean(tag), source: 'compose', evidence: `${service.s.image} in ${imageFile(service)}` };
  if (opts.configVersions?.collector) return { ...base, version: clean(opts.configVersions.collector), source: 'config' };
  return { ...base, version: NEWEST_KNOWN_COLLECTOR, source: 'assumed', evidence: service ? unpinned(service, built) : undefined };
}

/**
 * The collector version from the image tag of a collector container in a manifest (or of an Operator
 * OpenTelemetryCollector's `spec.image`), as from a compose image tag; only when no compose service runs a collector
 * and no flag says otherwise. Undefined when no manifest names a collector image.
 */
function kubernetesCollectorVersion(k: KubernetesModel, composes: ComposeFile[], opts: StackOptions): Stack['collector'] | undefined {
  if (opts.collectorVersion || collectorService(composes) || embeddedCollectorService(composes)) return undefined;
  const images = [
    ...collectorContainers(k).map(({ workload, container }) => ({ image: container.image, file: workload.object.file })),
    ...k.operatorCollectors.flatMap((c) => (c.image ? [{ image: c.image, file: c.object.file }] : [])),
  ].map((i) => ({ ...i, ...splitImage(i.image ?? '') }));
  const found = images.find((i) => i.tag && parseVersion(i.tag));
  const any = found ?? images[0];
  if (!any) return undefined;
  const distribution: Distribution = opts.manifestComponents
    ? 'custom'
    : /contrib$/.test(any.repository)
      ? 'contrib'
      : /k8s$/.test(any.repository)
        ? 'k8s'
        : 'core';
  const base = { distribution, manifestComponents: opts.manifestComponents };
  const image = `${any.image} in ${basename(any.file)}`;
  if (found) return { ...base, version: clean(found.tag!), source: 'kubernetes', evidence: image };
  if (opts.configVersions?.collector) return { ...base, version: clean(opts.configVersions.collector), source: 'config' };
  return { ...base, version: NEWEST_KNOWN_COLLECTOR, source: 'assumed', evidence: `${image} (${any.tag ? 'a tag that names no version' : 'no version tag'})` };
}

/**
 * The collector version from the image of the chart's values files: its tag, or the chart's appVersion when the tag
 * is left to the chart (the chart pins it: a known version), when the repository is a community distribution (a
 * custom image's tag says nothing of the collector inside). Only when no compose service or manifest runs a collector
 * and no flag says otherwise; values files that name different images give no version.
 */
function chartCollectorVersion(helm: ChartValuesInput[], composes: ComposeFile[], opts: StackOptions): Stack['collector'] | undefined {
  if (opts.collectorVersion || collectorService(composes) || embeddedCollectorService(composes) || helm.length === 0) return undefined;
  const images = [...new Set(helm.map((h) => h.reading.image.reference.value))];
  const { reading, values } = helm[0];
  const image = reading.image;
  const known = image.distribution ? CHART_DISTRIBUTIONS[image.distribution] : undefined;
  const distribution: Distribution = opts.manifestComponents ? 'custom' : images.length === 1 && known ? known : 'unknown';
  const base = { distribution, manifestComponents: opts.manifestComponents };
  if (images.length > 1)
    return {
      ...base,
      version: NEWEST_KNOWN_COLLECTOR,
      source: 'assumed',
      evidence: `${helm.length} chart values files name different images (${images.slice(0, 3).join(', ')})`,
    };
  const tag = splitImage(image.reference.value).tag;
  const defaulted = image.reference.from === 'chart default' || image.reference.from.path.at(-1) === 'repository';
  const evidence = `${image.reference.value} in ${basename(values.source.path)}${defaulted ? `, the tag chart ${reading.chartVersion} sets` : ''}`;
  if (known && tag && parseVersion(tag)) return { ...base, version: clean(tag), source: 'kubernetes', evidence };
  if (opts.configVersions?.collector) return { ...base, version: clean(opts.configVersions.collector), source: 'config' };
  const why = !known
    ? 'not a community distribution, so its tag names no collector version'
    : tag
      ? 'a tag that names no version'
      : 'a digest, which names no version';
  return { ...base, version: NEWEST_KNOWN_COLLECTOR, source: 'assumed', evidence: `${evidence} (${why})` };
}

/** The chart's community distributions (`reading.image.distribution`) as the doctor's. */
const CHART_DISTRIBUTIONS: Record<string, Distribution> = {
  'opentelemetry-collector': 'core',
  'opentelemetry-collector-contrib': 'contrib',
  'opentelemetry-collector-k8s': 'k8s',
};

/** The environment of the one chart's collector, when one values file runs it. */
function chartEnvironment(helm: ChartValuesInput[]): CollectorEnvironment | undefined {
  return helm.length === 1 ? helm[0].environment : undefined;
}

/** What a service's image took from a variable the shell may set (describeAssumed's words), when it did. */
function imageAssumption(c: ComposeFile, s: ComposeService): string | undefined {
  const note = c.interpolation.find((n) => n.path.length === 3 && n.path[0] === 'services' && n.path[1] === s.name && n.path[2] === 'image');
  return note && describeAssumed(note.written, note.assumed);
}

/** Why a collector service's image gives no version: "otel/opentelemetry-collector-contrib:latest in docker-compose.yml (no version tag)". */
function unpinned(ref: { s: ComposeService; c: ComposeFile }, built: boolean): string {
  const s = ref.s;
  const image = `${s.image ?? s.name} in ${imageFile(ref)}`;
  const why = built
    ? 'built here from a Dockerfile'
    : !s.tag
      ? 'no version tag'
      : s.tag.includes(':')
        ? 'a digest, which names no version'
        : 'a tag that names no version';
  return `${image} (${why})`;
}

function prometheusVersion(composes: ComposeFile[], opts: StackOptions): ComponentVersion {
  if (opts.prometheusVersion) return { version: clean(opts.prometheusVersion), source: 'flag' };
  const service = composes.flatMap((c) => c.services.map((s) => ({ s, c }))).find(({ s }) => isPrometheusImage(s.repository));
  const tag = service?.s.tag;
  if (service && tag && parseVersion(tag)) {
    const image = `${service.s.image} in ${imageFile(service)}`;
    const fromVariable = imageAssumption(service.c, service.s);
    return fromVariable
      ? { version: clean(tag), source: 'assumed', evidence: `${image}, ${fromVariable}` }
      : { version: clean(tag), source: 'compose', evidence: image };
  }
  if (opts.configVersions?.prometheus) return { version: clean(opts.configVersions.prometheus), source: 'config' };
  return { version: NEWEST_KNOWN_PROMETHEUS, source: 'assumed' };
}

/** Loki's version from a grafana/loki compose image with a version tag (`3.5.0`, `2.9.4`); else unknown. */
function lokiVersion(composes: ComposeFile[]): ComponentVersion | undefined {
  const service = composes.flatMap((c) => c.services.map((s) => ({ s, c }))).find(({ s }) => isLokiImage(s.repository));
  const tag = service?.s.tag;
  // Loki's tags are often major.minor (`2.9`); that is all its rules need.
  if (!service || !tag || !/^v?\d+\.\d+(\.\d+)?$/.test(tag)) return undefined;
  return { version: clean(tag), source: 'compose', evidence: `${service.s.image} in ${imageFile(service)}` };
}

export function emptyStack(): Stack {
  return buildStack([]);
}
