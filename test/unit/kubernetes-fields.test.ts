// What strict decoding refuses, as src/model/kubernetes-fields.ts reads it off the committed field catalogue. The
// real decoder holds these to account in test/oracles/k8s-differential.test.ts; these run without it.
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml, parseYamlDocuments } from '../../src/load/yaml.js';
import { isQuantity, kindType, strictObjects } from '../../src/model/kubernetes-fields.js';

/** [kind/name, problem, path, fatal] for every refusal in the stream. */
function refusals(text: string) {
  const source = new SourceFile('/repo/k8s.yaml', text);
  const docs = parseYamlDocuments(source).map((d) => parseYaml(source, d));
  return strictObjects(docs).flatMap((o) => o.refusals.map((r) => [`${o.kind}/${o.name}`, r.problem, r.path, r.fatal]));
}

describe('strict decoding', () => {
  it('knows the built-in kinds, Gateway API and the Prometheus Operator, not other custom resources', () => {
    expect(kindType('apps/v1', 'Deployment')).toBe('apps/v1.Deployment');
    expect(kindType('monitoring.coreos.com/v1', 'ServiceMonitor')).toBe('monitoring/v1.ServiceMonitor');
    expect(kindType('gateway.networking.k8s.io/v1', 'HTTPRoute')).toBe('gateway/v1.HTTPRoute');
    expect(kindType('opentelemetry.io/v1beta1', 'OpenTelemetryCollector')).toBeUndefined();
    expect(refusals('apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\nmetadata: {name: a}\nspec: {bogus: 1}\n')).toEqual([]);
  });

  it('an unknown or wrong-case field, in key order, at its path', () => {
    expect(refusals('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - {port: 1, protocl: TCP}\n  Selector: {a: b}\n')).toEqual([
      ['Service/s', 'unknown', 'spec.Selector', false],
      ['Service/s', 'unknown', 'spec.ports[0].protocl', false],
    ]);
  });

  it('wrong types: a quoted integer, a list for a map; null fits anything; int-or-string takes both', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - {port: "80", targetPort: http, nodePort:}\n  selector: [a]\n';
    expect(refusals(text)).toEqual([
      ['Service/s', 'type', 'spec.ports[0].port', false],
      ['Service/s', 'type', 'spec.selector', false],
    ]);
  });

  it('reads YAML as kubectl does (YAML 1.1): yes/on are booleans, 1_000 an integer', () => {
    expect(refusals('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: yes, b: "yes", c: 1_000}\n')).toEqual([
      ['ConfigMap/c', 'type', 'data.a', false],
      ['ConfigMap/c', 'type', 'data.c', false],
    ]);
  });

  it('merge keys are resolved, and a fraction or a number out of range is refused where an int32 belongs', () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector:\n    <<: {matchLabel: {a: b}}\n  replicas: 3000000000\n  minReadySeconds: 1.5\n';
    expect(refusals(text)).toEqual([
      ['Deployment/d', 'type', 'spec.minReadySeconds', false],
      ['Deployment/d', 'type', 'spec.replicas', false],
      ['Deployment/d', 'unknown', 'spec.selector.matchLabel', false],
    ]);
  });

  it('quantities: the decoder stops at one that does not parse', () => {
    for (const good of ['1', '0.5', '500m', '1.5Gi', '1e3', '+5', '.5', '5.']) expect(isQuantity(good), good).toBe(true);
    for (const bad of ['', '2GiB', '1K', '1.2.3', '1e', '1m5', 'yes']) expect(isQuantity(bad), bad).toBe(false);
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources: {limits: {memory: 2GiB, cpu: 1}}\n';
    expect(refusals(text)).toEqual([['Pod/p', 'value', 'spec.containers[0].resources.limits.memory', true]]);
  });

  it("decodes a v1 List's items one by one", () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    dat: {}\n';
    expect(refusals(text)).toEqual([['ConfigMap/c', 'unknown', 'dat', false]]);
  });
});
