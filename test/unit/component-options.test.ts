import { describe, expect, it } from 'vitest';
import { componentOptionProblems, snapshotVersions } from '../../src/model/component-options.js';

// Snapshots are generated from the real builds (test/oracles/options-snapshots.test.ts keeps them true);
// these tests pin how the doctor reads them, in particular for versions between and beyond them.
describe('component options', () => {
  it('has the two oracle snapshots', () => {
    expect(snapshotVersions()).toEqual(['0.105.0', '0.165.0']);
  });

  it('reports an unknown option with a did-you-mean', () => {
    const p = componentOptionProblems('exporters', 'prometheus', { endpoint: ':8889', namespce: 'x' }, '0.165.0')!;
    expect(p.map((x) => [x.path, x.part, x.certain])).toEqual([[['namespce'], 'key', true]]);
    expect(p[0].hint).toBe('did you mean "namespace"?');
  });

  it('matches names case-sensitively, as the collector does', () => {
    expect(componentOptionProblems('exporters', 'prometheus', { Namespace: 'x' }, '0.165.0')).toHaveLength(1);
  });

  it('checks types strictly but accepts the conversions the loader makes', () => {
    const p = (config: unknown) => componentOptionProblems('exporters', 'prometheus', config, '0.165.0')!.map((x) => x.path.join('.'));
    expect(p({ send_timestamps: 'true' })).toEqual(['send_timestamps']);
    expect(p({ const_labels: { a: 1 } })).toEqual(['const_labels.a']);
    expect(p({ resource_to_telemetry_conversion: true })).toEqual(['resource_to_telemetry_conversion']);
    expect(p({ metric_expiration: '1d' })).toEqual(['metric_expiration']);
    expect(p({ metric_expiration: 300, resource_to_telemetry_conversion: null, namespace: '${env:NS}' })).toEqual([]);
    expect(componentOptionProblems('receivers', 'otlp', { protocols: { http: { cors: { allowed_origins: 'a,b' } } } }, '0.165.0')).toEqual([]);
  });

  it('resolves aliases to the same component (otlp_grpc is otlp)', () => {
    expect(componentOptionProblems('exporters', 'otlp_grpc', { endpoint: 'x:4317', insecure: true }, '0.165.0')).toHaveLength(1);
  });

  it('between snapshots, reports only what both refuse', () => {
    const enabled = { protocols: { grpc: { enabled: true } } }; // v0.165.0 only
    expect(componentOptionProblems('receivers', 'otlp', enabled, '0.105.0')).toHaveLength(1);
    expect(componentOptionProblems('receivers', 'otlp', enabled, '0.165.0')).toEqual([]);
    expect(componentOptionProblems('receivers', 'otlp', enabled, '0.130.0')).toEqual([]);
    expect(componentOptionProblems('receivers', 'otlp', { protocols: { grpc: { nope: 1 } } }, '0.130.0')![0].versions).toEqual(['0.105.0', '0.165.0']);
  });

  it('before the oldest snapshot, problems are not certain', () => {
    expect(componentOptionProblems('exporters', 'debug', { loglevel: 'debug' }, '0.95.0')!.map((x) => x.certain)).toEqual([false]);
  });

  it('leaves unknown components unchecked', () => {
    expect(componentOptionProblems('exporters', 'clickhouse', { anything: 1 }, '0.165.0')).toBeUndefined();
  });
});
