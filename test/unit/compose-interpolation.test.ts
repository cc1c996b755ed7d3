// Compose interpolation in the doctor's compose model (model/compose-interpolation.ts): the forms compose-go reads,
// the `.env` beside the compose file (not when it links out of the folder), `env_file:`, and what the doctor
// refuses to guess. test/oracles/compose-differential.test.ts holds the model to compose-go itself.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { composeEnvironment } from '../../src/model/collector-env.js';
import { loadCompose, parsePorts } from '../../src/model/compose.js';
import { interpolate } from '../../src/model/compose-interpolation.js';
import type { YamlValue } from '../../src/load/yaml-value.js';

const env = new Map([
  ['TOKEN', 's3cret'],
  ['EMPTY', ''],
]);
const value = (text: string) => interpolate(text, env).value;

describe('interpolate', () => {
  it('reads every form compose-go reads', () => {
    expect(value('${TOKEN}')).toBe('s3cret');
    expect(value('$TOKEN/x')).toBe('s3cret/x');
    expect(value('$$TOKEN and $${TOKEN}')).toBe('$TOKEN and ${TOKEN}');
    expect(value('${NOPE:-4317}')).toBe('4317');
    expect(value('${NOPE-4317}')).toBe('4317');
    expect(value('${EMPTY:-d}')).toBe('d');
    expect(value('${EMPTY-d}')).toBe('');
    expect(value('${TOKEN:?needed}')).toBe('s3cret');
    expect(value('${TOKEN?needed}')).toBe('s3cret');
    expect(value('${TOKEN:+on}|${EMPTY:+on}|${EMPTY+on}')).toBe('on||on');
    expect(value('${NOPE:-${TOKEN}}-x')).toBe('s3cret-x');
    expect(value('cost $5')).toBe('cost $5');
  });
  it('does not guess a variable that only the shell could set', () => {
    expect(interpolate('${NOPE}', env)).toEqual({ value: undefined, assumed: [], unknown: ['NOPE'] });
    expect(interpolate('$NOPE:4317', env).unknown).toEqual(['NOPE']);
    expect(interpolate('${NOPE:?set it}', env).value).toBeUndefined();
    expect(interpolate('${EMPTY:?set it}', env).value).toBeUndefined();
    expect(interpolate('${NOPE:-${ALSO_NOPE}}', env).value).toBeUndefined();
    expect(interpolate('${bad name}', env).value).toBeUndefined();
  });
  it('says what it assumed', () => {
    expect(interpolate('${PORT:-4317}:${TOKEN}', env).assumed).toEqual([
      { name: 'PORT', from: 'default' },
      { name: 'TOKEN', from: '.env' },
    ]);
  });
});

describe('ports', () => {
  const ports = (e: unknown) => parsePorts(e, [], undefined as unknown as YamlValue).map((p) => [p.hostIp, p.published, p.containerPort]);
  it('expands container port ranges as compose does', () => {
    expect(ports('4317:4317')).toEqual([[undefined, '4317', 4317]]);
    expect(ports('127.0.0.1::4317')).toEqual([['127.0.0.1', undefined, 4317]]);
    expect(ports('[::1]:4317:4317')).toEqual([['::1', '4317', 4317]]);
    expect(ports('4317-4318:4317-4318')).toEqual([
      [undefined, '4317', 4317],
      [undefined, '4318', 4318],
    ]);
    expect(ports('8000-8002:80')).toEqual([[undefined, '8000-8002', 80]]);
    expect(ports('a:b')).toEqual([]);
  });
});

describe('a compose file with its .env', () => {
  const root = mkdtempSync(join(tmpdir(), 'cod-compose-env-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const load = (dir: string, text: string) => loadCompose(parseYaml(new SourceFile(join(dir, 'docker-compose.yml'), text)));
  const grafana =
    'services:\n  grafana:\n    image: grafana/grafana:11.3.0\n    ports:\n      - "${GRAFANA_PORT:-3000}:3000"\n    volumes:\n      - ${CONFIG:-./grafana.ini}:/etc/grafana/grafana.ini\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_PASSWORD:-admin}\n      - FROM_SHELL=${SHELL_ONLY}\n      - PASSED\n';

  it('takes defaults and .env values, keeps the written text where it cannot know', () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    writeFileSync(join(dir, '.env'), 'GRAFANA_PORT=13000\nPASSED=yes\n');
    const s = load(dir, grafana).services[0];
    expect(s.ports.map((p) => p.hostPort)).toEqual([13000]);
    expect(s.mounts.map((m) => [m.type, m.source])).toEqual([['bind', './grafana.ini']]);
    expect(s.environment).toEqual({ GF_SECURITY_ADMIN_PASSWORD: 'admin', FROM_SHELL: '${SHELL_ONLY}', PASSED: 'yes' });
    expect([...s.unknownEnvironment]).toEqual(['FROM_SHELL']);
    expect(s.assumedEnvironment.get('GF_SECURITY_ADMIN_PASSWORD')).toBe(
      '`${GRAFANA_PASSWORD:-admin}`: GRAFANA_PASSWORD is in no .env, so compose takes the default, unless the shell that runs compose sets it',
    );
    // Findings still point at the written entry.
    expect(String(s.ports[0].value.js)).toBe('${GRAFANA_PORT:-3000}:3000');
  });

  it('does not read a .env that links out of the compose folder', () => {
    const outside = join(root, 'outside.env');
    writeFileSync(outside, 'GRAFANA_PORT=13000\n');
    const dir = join(root, 'linked');
    mkdirSync(dir);
    symlinkSync(outside, join(dir, '.env'));
    const s = load(dir, grafana).services[0];
    expect(s.ports.map((p) => p.hostPort)).toEqual([3000]);
  });

  it('reads env_file: into the environment, environment: wins; an unreadable one leaves it unknown', () => {
    const dir = join(root, 'env-file');
    mkdirSync(dir);
    writeFileSync(join(dir, '.env'), 'TOKEN=s3cret\n');
    writeFileSync(join(dir, 'collector.env'), 'A=1\nB=${TOKEN}\nC=from-file\n');
    const c = load(
      dir,
      'services:\n  c:\n    image: otel/opentelemetry-collector-contrib:0.130.0\n    env_file: ./collector.env\n    environment:\n      C: own\n',
    );
    expect(c.services[0].environment).toEqual({ A: '1', B: 's3cret', C: 'own' });
    expect(c.services[0].hasEnvFile).toBe(false);
    expect(composeEnvironment(c, c.services[0])?.variables.get('B')).toBe('s3cret');
    const missing = load(dir, 'services:\n  c:\n    image: x\n    env_file: [./nope.env]\n');
    expect(missing.services[0].hasEnvFile).toBe(true);
    expect(composeEnvironment(missing, missing.services[0])).toBeUndefined();
  });
});

describe('extends: in the same file', () => {
  it('merges the base service as compose does; each entry keeps where it was written', () => {
    const c = loadCompose(
      parseYaml(
        new SourceFile(
          '/repo/docker-compose.yml',
          'services:\n  base:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    profiles: [debug]\n    environment: {A: "1", B: "1"}\n    ports: ["4317:4317"]\n    volumes: ["./a.yaml:/etc/a.yaml", "./b.yaml:/etc/b.yaml"]\n  c:\n    extends: base\n    environment: {B: "2"}\n    ports: ["4318:4318"]\n    volumes: ["./own.yaml:/etc/b.yaml"]\n',
        ),
      ),
    );
    const s = c.services[1];
    expect([s.image, s.profiles, s.environment]).toEqual(['otel/opentelemetry-collector-contrib:0.115.1', ['debug'], { A: '1', B: '2' }]);
    expect(s.ports.map((p) => [p.containerPort, p.path.join('.')])).toEqual([
      [4317, 'services.base.ports.0'],
      [4318, 'services.c.ports.0'],
    ]);
    expect(s.mounts.map((m) => [m.source, m.target])).toEqual([
      ['./a.yaml', '/etc/a.yaml'],
      ['./own.yaml', '/etc/b.yaml'],
    ]);
    expect(s.raw.extends).toBeUndefined();
  });
});
