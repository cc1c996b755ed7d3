// A values file of the OpenTelemetry Collector chart as the stack inputs it stands for: the collector config the chart
// renders into its ConfigMap, read as a collector config of its own whose findings point into the values file.
import { basename } from 'node:path';
import type { Node } from 'yaml';
import { stringify } from 'yaml';
import { EmbeddedSource, SourceFile } from '../../load/source.js';
import { YamlValue } from '../../load/yaml-value.js';
import { nodeAtOffset, parseYaml, type YamlDocument, type YamlPath } from '../../load/yaml.js';
import type { CollectorEnvironment } from '../collector-env.js';
import { isPlainMap } from './merge.js';
import { type CollectorChartReading, type EffectiveConfig, readCollectorChartValues } from './collector-chart.js';

export interface ChartValuesInput {
  /** The values file. */
  values: YamlDocument;
  reading: CollectorChartReading;
  /**
   * The rendered collector config (`<values>#config`), when the reading models it and helm renders the values (a
   * refusal, `reading.failures`, deploys nothing: that is the finding, not the config).
   */
  config?: { source: EmbeddedSource; yaml: YamlDocument };
  /** The collector container's environment: the chart's variables (set at run time, values unknown here) and `extraEnvs`. */
  environment?: CollectorEnvironment;
}

/**
 * Whether the value at a path of a config a values file renders is the chart's default rather than the user's (a
 * receiver the chart configures that the values never mention). False for any other config.
 */
export function isChartDefault(helmValues: readonly ChartValuesInput[], config: YamlDocument, path: (string | number)[]): boolean {
  const h = helmValues.find((x) => x.config?.yaml === config);
  return h !== undefined && !('notModelled' in h.reading.config) && h.reading.config.origin(path) === 'chart default';
}

export function chartValuesInput(values: YamlDocument): ChartValuesInput {
  const root = YamlValue.root(values);
  const reading = readCollectorChartValues(root);
  const config = 'notModelled' in reading.config || reading.failures.length > 0 ? undefined : renderedConfig(values, reading.config);
  return { values, reading, config, environment: chartEnvironment(root, reading) };
}

/**
 * The effective config as YAML text, read as a source whose positions land in the values file: a node the user wrote
 * maps to where they wrote it (its key or its value); anything else to the nearest thing written above it (the
 * preset switch that added a component, a map the user wrote), else the values file's `config:` key, else its start.
 */
function renderedConfig(values: YamlDocument, config: EffectiveConfig): { source: EmbeddedSource; yaml: YamlDocument } {
  const text = stringify(config.value, { aliasDuplicateObjects: false, lineWidth: 0 });
  const derived = parseYaml(new SourceFile(`${values.source.path}#config`, text));
  const root = YamlValue.root(values);
  const configKey = root.get('alternateConfig') ?? root.get('config');
  const offsetOf = (offset: number): number => {
    const at = nodeAtOffset(derived.doc.contents as Node | null, offset, []);
    if (!at) return configKey ? hostSpan(configKey, 'key', 0) : 0;
    const end = at.delta >= at.length ? Number.POSITIVE_INFINITY : 0;
    // A pipeline's entry the chart added for a preset's component: that preset's switch.
    const component = pipelineEntry(derived, at.path);
    const added = component && config.origin(at.path) === 'chart default' ? config.origin(component) : undefined;
    if (added && added !== 'chart default' && added.path[0] === 'presets') return hostSpan(added, 'key', end);
    for (let n = at.path.length; n > 0; n--) {
      const origin = config.origin(at.path.slice(0, n));
      if (origin === 'chart default') continue;
      // Exactly the user's node: the same place in it; an ancestor (or a preset switch): its key, start or end.
      if (n === at.path.length && origin.path[0] !== 'presets') return hostSpan(origin, at.part, at.delta);
      return hostSpan(origin, 'key', end);
    }
    return configKey ? hostSpan(configKey, 'key', end) : 0;
  };
  const source = new EmbeddedSource(derived.source.path, text, values.source, { offsetOf });
  return { source, yaml: parseYaml(source, derived.doc) };
}

/** The component a pipeline's entry names (`service.pipelines.<p>.<section>[i]`), as its config path. */
function pipelineEntry(derived: YamlDocument, path: YamlPath): YamlPath | undefined {
  const [service, pipelines, pipeline, section, index] = path;
  if (service !== 'service' || pipelines !== 'pipelines' || typeof index !== 'number' || path.length !== 5) return undefined;
  if (section !== 'receivers' && section !== 'processors' && section !== 'exporters') return undefined;
  const id = derived.doc.getIn(['service', 'pipelines', pipeline, section, index]);
  return typeof id === 'string' ? [section, id] : undefined;
}

/** A host offset `delta` into a user's value (its key or its value), kept inside it. */
export function hostSpan(v: YamlValue, part: 'key' | 'value', delta: number): number {
  const key = v.pair?.key as Node | undefined;
  const node = part === 'key' && key?.range ? key : ((v.alias ?? v.node ?? key) as Node | null);
  const range = node?.range;
  if (!range) return 0;
  return range[0] + Math.min(delta, range[1] - range[0]);
}

/**
 * The collector container's environment as the chart writes it: variables from the pod's fields (`MY_POD_IP`...)
 * are set, their values known only at run time; `extraEnvs` with a `value` are known. Unknown as a whole when
 * `extraEnvsFrom` adds variables from ConfigMaps or Secrets.
 */
function chartEnvironment(root: YamlValue, reading: CollectorChartReading): CollectorEnvironment | undefined {
  const from = root.get('extraEnvsFrom')?.js;
  if (Array.isArray(from) && from.length > 0) return undefined;
  const variables = new Map<string, string | undefined>();
  for (const { value: e } of reading.env) {
    if (typeof e.name !== 'string') continue;
    variables.set(e.name, typeof e.value === 'string' && !isPlainMap(e.valueFrom ?? null) ? e.value : undefined);
  }
  return { variables, evidence: `the collector container's environment as the chart sets it from ${basename(root.file)}` };
}
