import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/load/yaml.js';
import { SourceFile } from '../../src/load/source.js';
import { loadCompose } from '../../src/model/compose.js';
import { composeReplicas } from '../../src/model/replicas.js';

describe('the replicas of a compose service', () => {
  // line: 1-based, of the value that sets the count.
  const replicas = (service: string, dotEnv = new Map<string, string>()) => {
    const compose = loadCompose(
      parseYaml(
        new SourceFile('/repo/docker-compose.yml', `services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.130.0\n${service}`),
      ),
      dotEnv,
    );
    const r = composeReplicas({ compose, service: compose.services[0] });
    return r && { count: r.count, evidence: r.evidence, line: r.at.location('value').range?.start.line };
  };

  it('are deploy.replicas, else scale, with where they are set', () => {
    expect(replicas('    deploy:\n      replicas: 3\n')).toEqual({ count: 3, evidence: 'deploy.replicas: 3 in docker-compose.yml', line: 5 });
    expect(replicas('    scale: 2\n')).toEqual({ count: 2, evidence: 'scale: 2 in docker-compose.yml', line: 4 });
  });

  it('are interpolated as compose reads them; unknown when a variable the doctor cannot see sets them', () => {
    expect(replicas('    deploy:\n      replicas: ${N}\n', new Map([['N', '2']]))?.count).toBe(2);
    expect(replicas('    deploy:\n      replicas: ${N}\n')).toBeUndefined();
    expect(replicas('    deploy:\n      replicas: ${N:-4}\n')?.count).toBe(4);
  });

  it('are none to report for one replica, none given, or mode: global (one per node: one on a compose host)', () => {
    expect(replicas('    deploy:\n      replicas: 1\n')).toBeUndefined();
    expect(replicas('    ports: ["4318:4318"]\n')).toBeUndefined();
    expect(replicas('    deploy:\n      mode: global\n      replicas: 3\n')).toBeUndefined();
  });
});

describe('collector/delta-dropped with several replicas', () => {
  it('offers no cumulative fix and names deltatocumulative only (cumulative would be counted once per replica)', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const one = JSON.parse(runCli(['check', 'fixtures/collector-delta-dropped-fail-remote-write/files', '--format', 'json']).stdout);
    const two = JSON.parse(runCli(['check', 'fixtures/collector-delta-dropped-fail-remote-write-replicas/files', '--format', 'json']).stdout);
    const dropped = (r: { findings: { ruleId: string; fix?: unknown; hint?: string }[] }) => r.findings.find((f) => f.ruleId === 'collector/delta-dropped');
    expect(dropped(one)?.fix).toBeDefined();
    expect(dropped(two)?.fix).toBeUndefined();
    expect(dropped(two)?.hint).toMatch(/^add a deltatocumulative processor .*with 2 collector replicas it is counted once per replica$/);
  });
});

describe('the components renamed in v0.154.0 and v0.158.0, under their new names', () => {
  // prometheus_remote_write (v0.154.0+) refuses deltas as prometheusremotewrite did; delta_to_cumulative (v0.158.0+)
  // converts them as deltatocumulative did. The rules compared the old names only.
  it('are the same components to collector/delta-dropped', async () => {
    const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli } = await import('../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'renamed-'));
    try {
      cpSync('fixtures/collector-delta-dropped-fail-remote-write/files', dir, { recursive: true });
      const config = join(dir, 'otel-collector-config.yml');
      const compose = join(dir, 'docker-compose.yml');
      writeFileSync(compose, readFileSync(compose, 'utf8').replace('collector-contrib:0.115.1', 'collector-contrib:0.158.0'));
      writeFileSync(config, readFileSync(config, 'utf8').replaceAll('prometheusremotewrite', 'prometheus_remote_write'));
      const dropped = () =>
        (JSON.parse(runCli(['check', dir, '--format', 'json']).stdout) as { findings: { ruleId: string }[] }).findings.filter(
          (f) => f.ruleId === 'collector/delta-dropped',
        );
      expect(dropped()).toHaveLength(1);
      writeFileSync(
        config,
        readFileSync(config, 'utf8')
          .replace('  batch: {}\n', '  batch: {}\n  delta_to_cumulative: {}\n')
          .replace(
            'processors: [batch]\n      exporters: [prometheus_remote_write]',
            'processors: [batch, delta_to_cumulative]\n      exporters: [prometheus_remote_write]',
          ),
      );
      expect(dropped()).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
