// Imports point down the layers (docs/architecture.md, "Layers"), and no module imports itself back:
//   util ← load ← discover ← model ← rules ← engine ← fixers · probes · report ← bootstrap ← api ← cli
// Every `import`/`export … from` and `import()` in src/ is read with the TypeScript parser; type-only imports
// count too (a type from a higher layer is a dependency on it all the same).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const SRC = join(packageRoot, 'src');

/** Lower numbers are lower layers. fixers, probes and report are one layer: each may use the others. */
const LEVEL: Record<string, number> = {
  util: 0,
  load: 1,
  discover: 2,
  model: 3,
  rules: 4,
  engine: 5,
  fixers: 6,
  probes: 6,
  report: 6,
  bootstrap: 7,
  api: 8,
  cli: 9,
};

/** The layer of a file under src/: its folder, or for top-level files the layer they belong to. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) {
    const top: Record<string, string> = {
      'types.ts': 'util',
      'version.ts': 'util',
      'engine.ts': 'engine',
      'workspaces.ts': 'engine',
      'api.ts': 'api',
      'cli.ts': 'cli',
      'cli-help.ts': 'cli',
      'entry.ts': 'cli',
    };
    if (!top[parts[0]]) throw new Error(`src/${file}: no layer; add it to layerOf`);
    return top[parts[0]];
  }
  if (parts[0] === 'config') return 'load'; // the doctor's own config file: read like any input
  if (!(parts[0] in LEVEL)) throw new Error(`src/${file}: no layer for folder ${parts[0]}/; add it to LEVEL`);
  return parts[0];
}

/** Outside src/rules/, only the registry and the rule type may be imported from it: rules/ holds rules only. */
const RULES_ENTRY = new Set(['rules/index.ts', 'rules/define.ts']);
/** The engine runs the rules, the doctor/ ones (read problems, internal errors, unused suppressions) included. */
const MAY_IMPORT_RULES = new Set(['engine']);

/**
 * Edges against the layers that are known and owed to a change in progress, as `from -> to` (file paths under
 * src/). Empty: the shared helpers that rules/, fixers/edits.ts, probes/ and bootstrap/ used to share left
 * src/rules/ (issue #13 item 2). An entry that no longer occurs fails the test, so the list cannot go stale.
 */
const KNOWN_VIOLATIONS: string[] = [];

/**
 * Type-only cycles inside one layer: harmless at run time (types are erased) and in files this test does not own.
 * model/loki.ts takes a Stack type from model/stack.ts, which loads Loki; fixers/write.ts takes FileChange from
 * fixers/apply.ts, which uses write's realTarget. Runtime cycles are never allowed.
 */
const KNOWN_TYPE_CYCLES = ['model/loki.ts -> model/stack.ts', 'fixers/apply.ts -> fixers/write.ts'];

/**
 * The model does no IO of its own: it reads the files a fix may change through the `Reader` it is given
 * (`load/read.ts`), so the fix loop's re-analysis sees the pending contents. What it reads otherwise, with why:
 */
const MODEL_READS: Record<string, string> = {
  'model/kubernetes-fields.ts': "node:fs: the package's own schemas/kubernetes/ tables, not the user's files",
  'model/component-options.ts': "node:fs: the package's own schemas/collector/ tables, not the user's files",
  'model/manifest.ts': 'readTextFile: the file --collector-manifest names, read once by the API before any analysis; no fix writes it',
  'model/collector-env.ts': 'readTextFile: the file --collector-env-file names, read once by the API before any analysis; no fix writes it',
};

/** Helpers of load/ that default to the disk: in the model, each call passes the reader (this many arguments). */
const DISK_BY_DEFAULT = new Map([
  ['realOrResolved', 2],
  ['realPathOutside', 3],
  ['fileExists', 2],
  ['readEnvFileValues', 2],
]);

/**
 * The model's reads of files by itself: imports of node:fs and of the disk readers of load/read.ts, and calls of
 * the helpers that default to the disk without a reader.
 */
function modelReads(): string[] {
  const found: string[] = [];
  for (const path of sourceFiles(join(SRC, 'model'))) {
    const from = relative(SRC, path);
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const node of sf.statements) {
      if (!ts.isImportDeclaration(node) || !ts.isStringLiteral(node.moduleSpecifier)) continue;
      const spec = node.moduleSpecifier.text;
      if (/^(node:)?fs(\/promises)?$/.test(spec)) found.push(`${from}: node:fs`);
      const named = node.importClause?.namedBindings;
      if (spec.endsWith('/load/read.js') && named && ts.isNamedImports(named))
        for (const e of named.elements) if (['readTextFile', 'readBoundedBytes'].includes(e.name.text)) found.push(`${from}: ${e.name.text}`);
    }
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const wanted = DISK_BY_DEFAULT.get(node.expression.text);
        if (wanted && node.arguments.length < wanted) found.push(`${from}: ${node.expression.text} without a reader`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of one file, each resolved to a path under src/. */
function importsOf(path: string): Edge[] {
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const from = relative(SRC, path);
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith('.')) return;
    edges.push({ from, to: relative(SRC, resolve(dirname(path), spec.replace(/\.js$/, '.ts'))), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false); // import('…'): loaded at run time
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true); // import('…').Type in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const files = sourceFiles(SRC).map((p) => relative(SRC, p));
const edges = sourceFiles(SRC).flatMap(importsOf);

function knownKey(e: Edge): string {
  return `${e.from} -> ${e.to}`;
}

function show(e: Edge): string {
  return `${e.from} -> ${e.to}${e.typeOnly ? ' (type only)' : ''}  [${layerOf(e.from)} -> ${layerOf(e.to)}]`;
}

function violations(): Edge[] {
  return edges.filter((e) => {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (LEVEL[b] > LEVEL[a]) return true;
    return b === 'rules' && a !== 'rules' && !MAY_IMPORT_RULES.has(a) && !RULES_ENTRY.has(e.to);
  });
}

/** Strongly connected groups of files (Tarjan): files that import each other, directly or through others. */
function cycles(withTypes: boolean): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (withTypes || !e.typeOnly) next.get(e.from)?.push(e.to);
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!order.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || next.get(v)!.includes(v)) found.push(group.sort());
    }
  };
  for (const f of files) if (!order.has(f)) connect(f);
  return found;
}

describe('layering', () => {
  it('reads imports of every kind', () => {
    // A parser that missed the dynamic or type-only forms would pass every check below by seeing nothing.
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    expect(files.every((f) => layerOf(f) in LEVEL)).toBe(true);
  });

  it('imports point down the layers, and into src/rules/ only through the registry', () => {
    const known = new Set(KNOWN_VIOLATIONS);
    const unexpected = violations().filter((e) => !known.has(knownKey(e)));
    expect(
      unexpected.map(show),
      'imports against the layers (util ← load ← discover ← model ← rules ← engine ← fixers·probes·report ← bootstrap ← api ← cli)',
    ).toEqual([]);
  });

  it('KNOWN_VIOLATIONS lists only edges that still exist', () => {
    const present = new Set(violations().map(knownKey));
    expect(
      KNOWN_VIOLATIONS.filter((k) => !present.has(k)),
      'remove these from KNOWN_VIOLATIONS',
    ).toEqual([]);
  });

  it('the model reads files only through the Reader it is given, but for the listed reads', () => {
    const found = modelReads();
    expect(
      found.filter((r) => !MODEL_READS[r.split(':')[0]]),
      'file reads in src/model/ behind the Reader (take a Reader, or list the read with its reason)',
    ).toEqual([]);
    expect(
      Object.keys(MODEL_READS).filter((f) => !found.some((r) => r.startsWith(`${f}:`))),
      'remove these from MODEL_READS',
    ).toEqual([]);
  });

  it('no import cycle at run time', () => {
    expect(
      cycles(false).map((c) => c.join(' -> ')),
      'modules that import each other (directly or through others)',
    ).toEqual([]);
  });

  it('no type-only cycle but the known ones', () => {
    expect(
      cycles(true)
        .map((c) => c.join(' -> '))
        .sort(),
      'modules whose types import each other',
    ).toEqual([...KNOWN_TYPE_CYCLES].sort());
  });
});
