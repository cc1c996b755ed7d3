// Compose projects (src/model/compose.ts loadComposeProject, the stack's grouping, workspaces): what each merged
// entry points at, which files form a project, and what is never read. compose-go agreement on the merged values
// is test/oracles/compose-differential.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { composeValueAt, loadComposeProject } from '../../src/model/compose.js';
import { buildStack } from '../../src/model/stack.js';
import { fileWorkspaces } from '../../src/workspaces.js';

const doc = (path: string, text: string) => parseYaml(new SourceFile(path, text));

describe('a project of a main file and its override', () => {
  const main = doc(
    '/p/compose.yaml',
    'services:\n  c:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/a.yaml"]\n    ports: ["4318:4318"]\n    environment: {A: "1"}\n',
  );
  const override = doc(
    '/p/compose.override.yaml',
    'services:\n  c:\n    command: ["--config=/etc/b.yaml"]\n    ports: ["127.0.0.1:4317:4317"]\n    environment: [B=2]\n',
  );
  const project = loadComposeProject([main, override], () => undefined, new Map());
  const c = project.services[0];

  it('merges them; each entry keeps the file it is written in', () => {
    expect(c.ports.map((p) => [p.containerPort, p.value.file])).toEqual([
      [4318, '/p/compose.yaml'],
      [4317, '/p/compose.override.yaml'],
    ]);
    expect(c.environment).toEqual({ A: '1', B: '2' });
    expect([...c.environmentAt].map(([k, v]) => [k, v.file])).toEqual([
      ['A', '/p/compose.yaml'],
      ['B', '/p/compose.override.yaml'],
    ]);
  });

  it('the service is the main file entry; each key is where compose takes it from', () => {
    expect(c.value.file).toBe('/p/compose.yaml');
    expect(c.fields.get('image')?.file).toBe('/p/compose.yaml');
    expect(c.fields.get('command')?.file).toBe('/p/compose.override.yaml');
    expect(c.command).toEqual(['--config=/etc/b.yaml']);
    // Topology's command-word paths resolve into the override.
    const word = composeValueAt(project, ['services', 'c', 'command', 0]);
    expect([word.file, word.js]).toEqual(['/p/compose.override.yaml', '--config=/etc/b.yaml']);
    expect(project.files.map((f) => f.file)).toEqual(['/p/compose.yaml', '/p/compose.override.yaml']);
  });
});

describe('include: and extends: {file:}', () => {
  it('reads them through the reader only; what it does not give is listed, never read', () => {
    const base = doc('/p/otel/base.yml', 'services:\n  b:\n    image: x:1\n    volumes: ["./cfg.yaml:/etc/cfg.yaml"]\n');
    const main = doc('/p/compose.yaml', 'include: [otel/inc.yml, ../outside/compose.yaml]\nservices:\n  c:\n    extends: {file: otel/base.yml, service: b}\n');
    const inc = doc('/p/otel/inc.yml', 'services:\n  i:\n    image: y:2\n    volumes: ["./data:/data"]\n');
    const files = new Map([base, inc].map((d) => [d.source.path, d]));
    const project = loadComposeProject([main], (p) => files.get(p), new Map());
    const byName = new Map(project.services.map((s) => [s.name, s]));
    expect(byName.get('c')?.image).toBe('x:1');
    expect(byName.get('c')?.mounts.map((m) => [m.dir, m.value.file])).toEqual([['/p/otel', '/p/otel/base.yml']]);
    expect(byName.get('i')?.mounts.map((m) => m.dir)).toEqual(['/p/otel']);
    expect(project.unfollowed.map((u) => [u.path, u.value.file])).toEqual([['/outside/compose.yaml', '/p/compose.yaml']]);
  });
});

describe('an include whose project_directory leads out of the scan', () => {
  const root = mkdtempSync(join(tmpdir(), 'cod-compose-include-dir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads no env file there: the service says its env_file could not be read', () => {
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(root, 'outside', 'secret.env'), 'TOKEN=s3cret\n');
    writeFileSync(join(root, 'outside', '.env'), 'TAG=from-outside\n');
    const main = doc(join(root, 'repo/compose.yaml'), 'include:\n  - path: sub/c.yml\n    project_directory: ../outside\n');
    const inc = doc(join(root, 'repo/sub/c.yml'), 'services:\n  c:\n    image: x:${TAG:-1}\n    env_file: secret.env\n');
    const project = loadComposeProject([main], (p) => (p === inc.source.path ? inc : undefined), new Map());
    const [c] = project.services;
    expect([c.image, c.environment, c.hasEnvFile]).toEqual(['x:1', {}, true]);
  });
});

describe('the stack groups compose files into projects', () => {
  const stack = buildStack(
    [
      ['/s/docker-compose.yml', 'include: [otel/compose.yaml]\nservices:\n  g:\n    image: grafana/grafana:11.3.0\n'],
      ['/s/docker-compose.override.yml', 'services:\n  g:\n    ports: ["3000:3000"]\n'],
      ['/s/otel/compose.yaml', 'services:\n  c:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n'],
      ['/s/docker-compose.prod.yml', 'services:\n  g:\n    image: grafana/grafana:11.3.0\n'],
    ].map(([path, text]) => ({ kind: 'compose' as const, source: new SourceFile(path, text) })),
  );

  it('an override joins its main file, an included file is no project of its own, other files are', () => {
    expect(stack.composes.map((c) => [c.file, c.files.map((f) => f.file)])).toEqual([
      ['/s/docker-compose.yml', ['/s/docker-compose.yml', '/s/otel/compose.yaml', '/s/docker-compose.override.yml']],
      ['/s/docker-compose.prod.yml', ['/s/docker-compose.prod.yml']],
    ]);
    expect(stack.composes[0].services.map((s) => [s.name, s.ports.length])).toEqual([
      ['c', 0],
      ['g', 1],
    ]);
  });
});

describe('workspaces of a scan with an included subfolder', () => {
  const root = mkdtempSync(join(tmpdir(), 'cod-compose-project-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('the included folder joins the including workspace; an include out of the scan is not read', () => {
    write('outside/compose.yaml', 'services:\n  o:\n    image: busybox:1.36\n');
    write('repo/compose.yaml', 'include: [otel/compose.yaml, ../outside/compose.yaml]\nservices:\n  g:\n    image: grafana/grafana:11.3.0\n');
    write('repo/otel/compose.yaml', 'services:\n  c:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n');
    const { workspaces } = fileWorkspaces([join(root, 'repo')], emptyConfig(root), '2.1.197');
    expect(workspaces.map((w) => w.name)).toEqual(['.']);
    const [project] = workspaces[0].stack.composes;
    expect(project.services.map((s) => s.name).sort()).toEqual(['c', 'g']);
    expect(project.unfollowed.map((u) => u.path)).toEqual([join(root, 'outside/compose.yaml')]);
  });
});
