import { keyRange, nodeAt, pairAt, valueRange, yamlPathString, type YamlDocument, type YamlPath } from '../load/yaml.js';
import type { Location } from '../types.js';

/** Where a finding about a YAML value points: its key (default) or its value, with a readable path. */
export function atYaml(y: YamlDocument, path: YamlPath, part: 'key' | 'value' = 'key'): Location {
  return {
    file: y.source.path,
    range: (part === 'key' ? keyRange(y, path) : valueRange(y, path)) ?? y.source.range(0, 0),
    path: path.length ? yamlPathString(path) : undefined,
  };
}

export { nodeAt, pairAt };
