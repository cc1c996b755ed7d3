import { keyRange, nodeAt, pairAt, valueRange, yamlPathString, type YamlDocument, type YamlPath } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';
import type { Location } from '../types.js';

/**
 * Where a finding about a YAML value points: its key (default) or its value, with a readable path. A path that does
 * not exist (a key that is missing) points at the nearest enclosing value, where it would go.
 */
export function atYaml(y: YamlDocument, path: YamlPath, part: 'key' | 'value' = 'key'): Location {
  return {
    file: y.source.path,
    range: (part === 'key' ? keyRange(y, path) : valueRange(y, path)) ?? YamlValue.nearest(y, path).location(part).range,
    path: path.length ? yamlPathString(path) : undefined,
  };
}

export { nodeAt, pairAt };
