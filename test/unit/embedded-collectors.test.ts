import { describe, expect, it } from 'vitest';
import { embeddedCollector, embeddedCollectorVersion, embeddedGateOn } from '../../src/model/embedded-collectors.js';
import { findingsOf } from '../helpers/setup-workspace.js';
import { RULES_BY_ID } from '../../src/rules/index.js';
import { fileWorkspaces } from '../../src/workspaces.js';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// #14 class 4: grafana/otel-lgtm runs its own otelcol-contrib, at its own version, started with
// --feature-gates service.profilesSupport since image v0.11.0 (grafana/docker-otel-lgtm docker/run-otelcol.sh).
const lgtm = embeddedCollector('docker.io/grafana/otel-lgtm')!;

describe('images that embed a collector', () => {
  it('knows otel-lgtm, with or without a registry', () => {
    expect(lgtm.repository).toBe('grafana/otel-lgtm');
    expect(embeddedCollector('grafana/otel-lgtm')).toBe(lgtm);
    expect(embeddedCollector('otel/opentelemetry-collector-contrib')).toBeUndefined();
  });

  it('the collector version inside, per image release; none claimed for latest or a release newer than the table', () => {
    expect(embeddedCollectorVersion(lgtm, '0.28.0')).toBe('0.151.0');
    expect(embeddedCollectorVersion(lgtm, 'v0.11.3')).toBe('0.126.0');
    expect(embeddedCollectorVersion(lgtm, '0.7.3')).toBe('0.109.0');
    expect(embeddedCollectorVersion(lgtm, 'latest')).toBeUndefined();
    expect(embeddedCollectorVersion(lgtm, '9.0.0')).toBeUndefined();
    expect(embeddedCollectorVersion(lgtm, '0.1.0')).toBeUndefined();
  });

  it('the profiles feature gate: off before image 0.11.0, on from it, on for latest', () => {
    expect(embeddedGateOn(lgtm, '0.10.1', 'service.profilesSupport')).toBe(false);
    expect(embeddedGateOn(lgtm, '0.11.0', 'service.profilesSupport')).toBe(true);
    expect(embeddedGateOn(lgtm, 'latest', 'service.profilesSupport')).toBe(true);
    expect(embeddedGateOn(lgtm, '0.28.0', 'some.other.gate')).toBe(false);
  });

  function stack(tag: string) {
    const dir = mkdtempSync(join(tmpdir(), 'lgtm-'));
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      `services:\n  lgtm:\n    image: grafana/otel-lgtm:${tag}\n    volumes:\n      - ./otelcol-config.yaml:/otel-lgtm/otelcol-config.yaml\n`,
    );
    writeFileSync(
      join(dir, 'otelcol-config.yaml'),
      'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  otlp_http/pyroscope:\n    endpoint: http://127.0.0.1:4040\nservice:\n  pipelines:\n    profiles:\n      receivers: [otlp]\n      exporters: [otlp_http/pyroscope]\n',
    );
    return fileWorkspaces([dir], emptyConfig(dir), '2.1.197').workspaces[0];
  }

  it('the stack runs the image collector version, and a profiles pipeline is not refused where the image turns the gate on', () => {
    const at28 = stack('0.28.0');
    expect(at28.stack.collector).toMatchObject({ version: '0.151.0', source: 'compose', distribution: 'contrib' });
    const invalidPipeline = RULES_BY_ID.get('collector/invalid-pipeline')!;
    expect(findingsOf(invalidPipeline, at28).filter((f) => f.kind === 'profilesGated')).toEqual([]);
    expect(findingsOf(invalidPipeline, stack('0.10.1')).map((f) => f.kind)).toContain('profilesGated');
  });
});
