// The fix loop re-analyses the setup with the contents it means to write laid over the disk (`pendingReader`). The
// stack model reads some files the scan does not list (a kustomize build's generator files and patches, compose's
// `.env` and `env_file:`): those must be read through the same reader, so the re-analysis sees the pending contents
// and a file the fixer is about to create, and never the disk behind its back.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { diskReader, pendingReader, type Reader } from '../../src/load/read.js';
import type { Stack } from '../../src/model/stack.js';
import { fileWorkspaces } from '../../src/workspaces.js';

const work = realpathSync(mkdtempSync(join(tmpdir(), 'cod-pending-reads-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(work, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
}

/** The stack of the one workspace under `dir`, read through `reader`. */
function stackOf(dir: string, reader: Reader): Stack {
  const { workspaces } = fileWorkspaces([join(work, dir)], emptyConfig(work), '2.1.197', {}, reader);
  expect(workspaces).toHaveLength(1);
  return workspaces[0].stack;
}

/** The data of the ConfigMaps a stack's kustomize builds generate. */
function generatedData(stack: Stack): Record<string, unknown>[] {
  return stack.kustomize
    .flatMap((u) => ('objects' in u.build ? u.build.objects : []))
    .flatMap((o) => (o.kind === 'ConfigMap' ? [o.value.data as Record<string, unknown>] : []));
}

const properties = write('k/app.properties', 'level=info\n');

describe('kustomize builds read through the reader', () => {
  write('k/kustomization.yaml', 'configMapGenerator:\n  - name: app\n    files: [app.properties]\n    envs: [extra.vars]\n');
  const vars = join(work, 'k', 'extra.vars'); // not on the disk: the fixer is about to create it

  it('on the disk alone, a generator file that does not exist refuses the build', () => {
    const [unit] = stackOf('k', diskReader).kustomize;
    expect('objects' in unit.build).toBe(false);
  });

  it("sees a generator file's pending contents and a file the fixer is about to create", () => {
    const stack = stackOf(
      'k',
      pendingReader(
        new Map([
          [properties, 'level=debug\n'],
          [vars, 'MODE=fast\n'],
        ]),
      ),
    );
    expect(generatedData(stack)).toEqual([{ 'app.properties': 'level=debug\n', MODE: 'fast' }]);
  });

  it('a base folder that holds only files the fixer is about to create is a folder', () => {
    write('kb/kustomization.yaml', 'resources: [base]\n');
    const base = join(work, 'kb', 'base', 'kustomization.yaml');
    const cm = join(work, 'kb', 'base', 'cm.yaml');
    const pending = new Map([
      [base, 'resources: [cm.yaml]\n'],
      [cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n'],
    ]);
    const stack = stackOf('kb', pendingReader(pending));
    expect(generatedData(stack)).toEqual([{ a: 'b' }]);
  });
});

describe('compose .env and env_file: read through the reader', () => {
  write(
    'c/docker-compose.yml',
    'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:${COLLECTOR_TAG}\n    env_file: [collector.vars]\n',
  );
  const dotEnv = write('c/.env', 'COLLECTOR_TAG=0.110.0\n');
  const envFile = write('c/collector.vars', 'LEVEL=info\n');
  const service = (stack: Stack) => stack.composes[0].services[0];

  it('on the disk, the written values', () => {
    const stack = stackOf('c', diskReader);
    expect(stack.collector.version).toBe('0.110.0');
    expect(service(stack).environment).toEqual({ LEVEL: 'info' });
  });

  it("sees the pending .env and env_file's contents", () => {
    const stack = stackOf(
      'c',
      pendingReader(
        new Map([
          [dotEnv, 'COLLECTOR_TAG=0.120.0\n'],
          [envFile, 'LEVEL=debug\n'],
        ]),
      ),
    );
    expect(stack.collector.version).toBe('0.120.0');
    expect(service(stack).environment).toEqual({ LEVEL: 'debug' });
  });

  it('a .env the fixer is about to create counts, one that links out of the folder still does not', () => {
    write('d/docker-compose.yml', 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:${COLLECTOR_TAG:-0.100.0}\n');
    expect(stackOf('d', pendingReader(new Map([[join(work, 'd', '.env'), 'COLLECTOR_TAG=0.120.0\n']]))).collector.version).toBe('0.120.0');

    write('outside/secret.env', 'COLLECTOR_TAG=0.130.0\n');
    write('e/docker-compose.yml', 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:${COLLECTOR_TAG:-0.100.0}\n');
    symlinkSync(join(work, 'outside', 'secret.env'), join(work, 'e', '.env'));
    expect(stackOf('e', pendingReader(new Map())).collector.version).toBe('0.100.0');
  });
});

describe('pendingReader', () => {
  const linked = join(work, 'linked');
  symlinkSync(join(work, 'k'), linked);
  const reader = pendingReader(new Map([[join(linked, 'new.yaml'), 'a: 1\n']]));

  it('knows a file it is about to create as a file inside its folder, its folder resolved', () => {
    expect(reader.isFile(join(linked, 'new.yaml'))).toBe(true);
    expect(reader.realPath(join(linked, 'new.yaml'))).toBe(join(work, 'k', 'new.yaml'));
    expect(reader.isDirectory(linked)).toBe(true);
    expect(reader.isFile(join(linked, 'other.yaml'))).toBe(false);
    expect(reader.realPath(join(linked, 'other.yaml'))).toBeUndefined();
  });

  it('answers as the disk for what it does not hold', () => {
    expect(reader.isFile(properties)).toBe(true);
    expect(reader.realPath(join(linked, 'app.properties'))).toBe(properties);
    expect(reader.isDirectory(join(work, 'nowhere'))).toBe(false);
  });
});
