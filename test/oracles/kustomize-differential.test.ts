// The differential of the kustomize model (src/model/kustomize): on every tree of test/oracles/manifests/kustomize
// (re-typed from public config repos, SOURCE.md), each root kustomization built by the doctor must give exactly the
// objects `kustomize build` gives (k8s-check kustomize: sigs.k8s.io/kustomize/api krusty, root-only load
// restrictor), compared as JSON by kind, namespace and name. What kustomize refuses the doctor refuses or marks not
// modelled; what the doctor marks not modelled is counted, never compared. 100%: no tolerated differences.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml, parseYamlDocuments } from '../../src/load/yaml.js';
import { type KustomizeReader, kustomizeBuild, kustomizeRoots, KUSTOMIZATION_NAMES } from '../../src/model/kustomize/build.js';
import { packageRoot } from '../../src/util/paths.js';
import { oracleDescribe } from './differential-support.js';
import { k8sCheckBinary, PROVISION_K8S } from './paths.js';

const CORPUS = join(packageRoot, 'test/oracles/manifests/kustomize');

export const diskReader: KustomizeReader = {
  documents: (path) => {
    if (!existsSync(path) || !statSync(path).isFile()) return undefined;
    const source = new SourceFile(path, readFileSync(path, 'utf8'));
    return parseYamlDocuments(source).map((d) => parseYaml(source, d));
  },
  text: (path) => (existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined),
  isDir: (path) => existsSync(path) && statSync(path).isDirectory(),
};

function kustomizations(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => KUSTOMIZATION_NAMES.some((n) => p === n || p.endsWith(`/${n}`)))
    .map((p) => join(dir, p));
}

/** Objects by `kind namespace/name`, as JSON. */
function byId(objects: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of objects as { kind: string; metadata: { name: string; namespace?: string } }[])
    out[`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`] = JSON.parse(JSON.stringify(o));
  return out;
}

oracleDescribe('kustomize build (k8s-check kustomize)', k8sCheckBinary(), PROVISION_K8S, (bin) => {
  // The corpus's trees, and every fixture whose files hold a kustomization.
  const fixtures = join(packageRoot, 'fixtures');
  const cases = [
    ...readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(CORPUS, d.name)),
    ...readdirSync(fixtures)
      .map((n) => join(fixtures, n, 'files'))
      .filter((d) => existsSync(d) && kustomizations(d).length > 0),
  ].sort();
  const tally = { agree: 0, refusedBoth: 0, notModelled: 0 };

  it('has a corpus of 30+ trees', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  for (const dir of cases) {
    it(relative(packageRoot, dir), () => {
      const roots = kustomizeRoots(kustomizations(dir).map((p) => diskReader.documents(p)![0]));
      expect(roots.length).toBeGreaterThan(0);
      for (const root of roots) {
        const rootDir = root.source.path.slice(0, root.source.path.lastIndexOf('/'));
        const r = spawnSync(bin, ['kustomize', rootDir], { encoding: 'utf8', timeout: 30_000 });
        const built = kustomizeBuild(rootDir, diskReader);
        // The corpus's names say what each tree is: refused by kustomize, not modelled, or built.
        const named = /-refused-/.test(dir) ? 'refused' : /-not-modelled-/.test(dir) ? 'notModelled' : 'objects';
        if (dir.startsWith(CORPUS))
          expect(named in built, `${rootDir}: ${JSON.stringify({ ...built, read: undefined, origins: undefined, objects: undefined })}`).toBe(true);
        if ('notModelled' in built) {
          tally.notModelled++;
          continue;
        }
        if (r.status !== 0) {
          expect('refused' in built, `kustomize refuses ${rootDir}: ${r.stderr}`).toBe(true);
          tally.refusedBoth++;
          continue;
        }
        expect('refused' in built ? built.refused : undefined, rootDir).toBeUndefined();
        if (!('objects' in built)) continue;
        const want = byId(parseAllDocuments(r.stdout).map((d) => d.toJS()));
        expect(byId(built.objects.map((o) => o.value)), rootDir).toEqual(want);
        tally.agree++;
      }
    });
  }

  it('reports its figures', () => {
    console.log(`kustomize differential: ${tally.agree} builds agree, ${tally.refusedBoth} refused by both, ${tally.notModelled} not modelled`);
    expect(tally.agree).toBeGreaterThanOrEqual(30);
  });
});
