import type { Document, Node, Pair } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, type YamlProblem } from './yaml.js';

/**
 * What kubectl's reading of a manifest refuses beyond the YAML parser's own errors (test/oracles/
 * invalid-yaml-differential.test.ts holds these to `k8s-check read`, kubectl's reading, and `k8s-check kustomize`):
 * kubectl splits the stream at lines starting `---` itself (apimachinery's YAMLReader), then converts each document
 * to JSON with go-yaml v2 (sigs.k8s.io/yaml), which knows YAML 1.1 only, reads printable characters only, and needs
 * map keys it can turn into JSON strings. Codes: SEPARATOR, DIRECTIVE, CONTROL_CHARACTER, COLLECTION_KEY, NULL_KEY, MERGE refuse
 * the file (kustomize, though, writes a null key as ""); KEY_COLLISION (two keys that differ as YAML but are one JSON key, `1` and `"1"`) does not: kubectl keeps one
 * value silently, as for a duplicate key, and kustomize refuses both.
 */
export function kubectlReadingProblems(text: string, docs: Document.Parsed[]): YamlProblem[] {
  const problems: YamlProblem[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    // YAMLReader: a line starting `---` ends a document; anything but spaces or a comment after it is an error.
    const rest = line.startsWith('---') ? line.slice(3).trim() : '';
    if (rest && !rest.startsWith('#'))
      problems.push({ offset, length: line.trimEnd().length, code: 'SEPARATOR', message: `invalid document separator: ${rest}` });
    offset += line.length + 1;
  }
  // A directive (%YAML, %TAG) is cut off from its document by that split, and go-yaml v2 refuses %YAML 1.2 anyway.
  const directive = /^%/m.exec(text);
  if (directive && docs.some((d) => d.directives?.yaml.explicit || Object.keys(d.directives?.tags ?? {}).some((h) => h !== '!' && h !== '!!'))) {
    problems.push({ offset: directive.index, length: 1, code: 'DIRECTIVE', message: 'a YAML directive: kubectl splits it off its document' });
  }
  // go-yaml's reader: YAML's printable characters only (tab, line breaks, and no C0/C1 control character but NEL).
  const control = /[^\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(text);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    problems.push({ offset: control.index, length: control[0].length, code: 'CONTROL_CHARACTER', message: `control character U+${code}: not allowed` });
  }
  for (const doc of docs) if (doc.errors.length === 0) visitMaps(doc.contents, problems);
  return problems.sort((a, b) => a.offset - b.offset);
}

const mergeable = (v: unknown): boolean => isMap(v) || isAlias(v) || (isSeq(v) && v.items.every((i) => isMap(i) || isAlias(i)));

function visitMaps(node: unknown, problems: YamlProblem[]): void {
  if (isSeq(node)) for (const item of node.items) visitMaps(item, problems);
  if (!isMap(node)) return;
  const seen = new Map<string, Node>();
  for (const pair of node.items as Pair<Node, Node>[]) {
    if (!isPair(pair)) continue;
    const key = pair.key;
    const at = (isScalar(key) || isMap(key) || isSeq(key) ? key.range?.[0] : undefined) ?? (isScalar(pair.value) ? (pair.value.range?.[0] ?? 0) : 0);
    if (isMap(key) || isSeq(key)) problems.push({ offset: at, length: 1, code: 'COLLECTION_KEY', message: 'a collection as a map key: it has no JSON form' });
    if (key === null || (isScalar(key) && key.value === null))
      problems.push({ offset: at, length: 1, code: 'NULL_KEY', message: 'a null map key: it has no JSON form' });
    // go-yaml v2 merges a plain `<<` key (YAML 1.1), and only a map or a list of maps.
    if (isScalar(key) && key.type === 'PLAIN' && key.value === '<<' && !mergeable(pair.value))
      problems.push({ offset: at, length: 2, code: 'MERGE', message: 'map merge requires a map or a list of maps as its value' });
    if (isScalar(key)) {
      // The key as JSON names it: a string as it is, another scalar as written (`1`, `true`).
      const name = typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
      const first = seen.get(name);
      if (first && isScalar(first) && typeof first.value !== typeof key.value)
        problems.push({ offset: key.range?.[0] ?? 0, length: 1, code: 'KEY_COLLISION', message: `key "${name}" is set twice once converted to JSON` });
      if (!first) seen.set(name, key);
    }
    visitMaps(pair.value, problems);
  }
}
