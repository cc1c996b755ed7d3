// #14 class 4: where the collector's (or Prometheus') version is not known — an untagged or `latest` image, an image
// compose builds, no compose at all — a verdict that holds only from some release on is a warning that names the
// assumption; a verdict true at every version stays an error. The same configs on a pinned image are errors.
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import { RULES_BY_ID } from '../../src/rules/index.js';
import { findingsOf, workspaceOf } from '../helpers/setup-workspace.js';

const CONFIG = '/repo/otel-collector-config.yml';
const COMPOSE = '/repo/docker-compose.yml';

/** A collector service running `image`, with `extra` lines under it (environment, build). */
const compose = (image: string, extra = '') =>
  `services:\n  otel-collector:\n    image: ${image}\n    command: ["--config=/etc/otel-collector-config.yml"]\n${extra}`;

function ws(config: string, composeText?: string): Workspace {
  const files: StackFile[] = [{ kind: 'collector', source: new SourceFile(CONFIG, config) }];
  if (composeText) files.push({ kind: 'compose', source: new SourceFile(COMPOSE, composeText) });
  return { ...workspaceOf({}), mode: 'files', stack: buildStack(files) };
}

const run = (id: string, w: Workspace) => findingsOf(RULES_BY_ID.get(id)!, w);
const fatal = (id: string, version: string, f: object) => !!RULES_BY_ID.get(id)!.fatalIn?.(version, f as never);

const PIPELINE = 'service:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n';
const RECEIVER = 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n';

describe('the collector version, and when it is not known', () => {
  it('a tag, a digest, an image compose builds, no compose', () => {
    const of = (text?: string) => buildStack(text ? [{ kind: 'compose', source: new SourceFile(COMPOSE, text) }] : []).collector;
    expect(of(compose('otel/opentelemetry-collector-contrib:0.115.1'))).toMatchObject({ version: '0.115.1', source: 'compose' });
    expect(of(compose('otel/opentelemetry-collector-contrib:latest')).evidence).toContain('a tag that names no version');
    expect(of(compose('otel/opentelemetry-collector-contrib@sha256:abc')).evidence).toContain('a digest, which names no version');
    const built = of(compose('otel/opentelemetry-collector-contrib:0.115.1', '    build: ./collector\n'));
    expect(built.source).toBe('assumed');
    expect(built.evidence).toContain('built here from a Dockerfile');
    expect(of()).toMatchObject({ source: 'assumed', evidence: undefined });
    // A tag from a compose default is the likely version, but the shell may set the variable.
    const fromVariable = of(compose('otel/opentelemetry-collector-contrib:${OTELCOL_VERSION:-0.115.1}'));
    expect(fromVariable).toMatchObject({ version: '0.115.1', source: 'assumed' });
    expect(fromVariable.evidence).toContain('unless the shell that runs compose sets it');
  });
});

describe('version-gated verdicts soften when the version is not known', () => {
  it('invalid-option: an option only the newer snapshot refuses', () => {
    const cfg = `${RECEIVER}exporters:\n  debug:\n  prometheusremotewrite:\n    endpoint: http://prometheus:9090/api/v1/write\n    export_created_metric:\n      enabled: true\n${PIPELINE}`;
    const [unknown] = run('collector/invalid-option', ws(cfg, compose('otel/opentelemetry-collector-contrib:latest')));
    expect([unknown.severity, unknown.kind, fatal('collector/invalid-option', '0.165.0', unknown)]).toEqual(['warning', 'refusedFromUnknown', false]);
    expect(unknown.message).toContain('v0.165.0 refuses this config but v0.105.0 accepts it');
    const [pinned] = run('collector/invalid-option', ws(cfg, compose('otel/opentelemetry-collector-contrib:0.165.0')));
    expect([pinned.severity, pinned.kind]).toEqual(['error', 'refused']);
    // A typo no release accepts stays an error with the version unknown.
    const typo = `${RECEIVER}exporters:\n  debug:\n    verbosityy: detailed\n${PIPELINE}`;
    expect(run('collector/invalid-option', ws(typo)).map((f) => f.severity)).toEqual(['error']);
  });

  it('env-syntax: a listen address left literal from v0.107.0 on', () => {
    const cfg = `receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: $GRPC_HOST:4317\nexporters:\n  debug:\n${PIPELINE}`;
    const [unknown] = run('collector/env-syntax', ws(cfg));
    expect([unknown.severity, unknown.kind, fatal('collector/env-syntax', '0.165.0', unknown)]).toEqual(['warning', 'literalListenFromUnknown', false]);
    const [pinned] = run('collector/env-syntax', ws(cfg, compose('otel/opentelemetry-collector-contrib:0.115.1')));
    expect([pinned.severity, pinned.kind, fatal('collector/env-syntax', '0.115.1', pinned)]).toEqual(['error', 'literalListen', true]);
  });

  it('unset-variable: refused only where an empty variable clears the default (from v0.127.0)', () => {
    const cfg = `${RECEIVER}extensions:\n  health_check:\n    endpoint: \${env:HC}\nexporters:\n  debug:\nservice:\n  extensions: [health_check]\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n`;
    const env = '    environment:\n      - OTHER=1\n';
    const [unknown] = run('collector/unset-variable', ws(cfg, compose('otel/opentelemetry-collector-contrib:latest', env)));
    expect([unknown.severity, unknown.kind, fatal('collector/unset-variable', '0.165.0', unknown)]).toEqual(['warning', 'refusedFromUnknown', false]);
    const [pinned] = run('collector/unset-variable', ws(cfg, compose('otel/opentelemetry-collector-contrib:0.130.0', env)));
    expect([pinned.severity, pinned.kind]).toEqual(['error', 'refused']);
  });

  it('removed-component: the core image lacks a contrib-only component at every version, known or not', () => {
    const cfg = `${RECEIVER}processors:\n  spanmetrics:\nexporters:\n  debug:\n${PIPELINE}`;
    const [contrib] = run('collector/removed-component', ws(cfg, compose('otel/opentelemetry-collector-contrib')));
    expect([contrib.severity, contrib.kind]).toEqual(['warning', 'removedFromUnknown']);
    const [core] = run('collector/removed-component', ws(cfg, compose('otel/opentelemetry-collector')));
    expect([core.severity, core.kind]).toEqual(['error', 'notInBuild']);
  });
});
