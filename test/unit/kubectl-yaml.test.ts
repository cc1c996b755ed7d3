import { describe, expect, it } from 'vitest';
import { kubectlReadingProblems } from '../../src/load/kubectl-yaml.js';
import { SourceFile } from '../../src/load/source.js';
import { parseYamlDocuments } from '../../src/load/yaml.js';

// What kubectl's reading refuses beyond the parser's errors; test/oracles/invalid-yaml-differential.test.ts holds
// these to the real reading (k8s-check read). Here, without the oracle: each code on the text that shows it.
describe('kubectlReadingProblems', () => {
  const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';
  const codes = (text: string) => {
    const source = new SourceFile('/repo/m.yaml', text);
    return kubectlReadingProblems(text, parseYamlDocuments(source)).map((p) => p.code);
  };
  const cases: [string, string, string[]][] = [
    ['a clean stream', `${CM}---\n${CM}--- # next\n${CM}`, []],
    ['a document on the --- line', `${CM}--- {kind: ConfigMap}\n`, ['SEPARATOR']],
    ['four dashes', `${CM}----\n${CM}`, ['SEPARATOR']],
    ['a %YAML directive', `%YAML 1.1\n---\n${CM}`, ['DIRECTIVE']],
    ['a percent sign inside a block scalar is no directive', `${CM}data:\n  a: |\n    %YAML 1.2\n`, []],
    ['a control character', `${CM}data:\n  a: x\u0007y\n`, ['CONTROL_CHARACTER']],
    ['NEL and a BOM inside a value are printable', `${CM}data:\n  a: "x\u0085y\uFEFF"\n`, []],
    ['a collection as a key', `${CM}data:\n  ? [a, b]\n  : x\n`, ['COLLECTION_KEY']],
    ['a null key', `${CM}data:\n  ~: x\n`, ['NULL_KEY']],
    ['a merge key of a scalar', `${CM}data:\n  <<: 1\n`, ['MERGE']],
    ['a merge key of an alias', `${CM}  labels: &l {a: b}\ndata:\n  <<: *l\n`, []],
    ['keys 1 and "1"', `${CM}data:\n  1: x\n  "1": y\n`, ['KEY_COLLISION']],
  ];
  for (const [what, text, expected] of cases) it(what, () => expect(codes(text)).toEqual(expected));
});
