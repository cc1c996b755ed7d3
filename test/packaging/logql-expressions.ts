// Every LogQL expression this repository holds (dashboards in fixtures/ and corpus/, JSON under test/, the literals
// tests hand to parseLogQL), and a comparison of two releases of Grafana's LogQL grammar on them:
//   npx tsx test/packaging/logql-expressions.ts 0.3.0 0.4.2
// packs both releases from the npm registry and prints, per expression, whether their parse trees are identical.
// Run it before changing the @grafana/lezer-logql version (test/packaging/logql-grammar.test.ts checks the installed one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LRParser } from '@lezer/lr';
import { parse } from 'jsonc-parser';
import { looksLikeLogQL, substituteVariables } from '../../src/model/promql.js';
import { packageRoot } from '../../src/util/paths.js';

const require = createRequire(import.meta.url);

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext) && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name));
}

/** The datasource an object names: a type or uid string, or `{type, uid}`. */
function isLoki(datasource: unknown): boolean | undefined {
  if (typeof datasource === 'string') return /loki/i.test(datasource);
  if (datasource && typeof datasource === 'object') {
    const { type, uid } = datasource as { type?: unknown; uid?: unknown };
    if (typeof type === 'string') return type === 'loki';
    if (typeof uid === 'string') return /loki/i.test(uid);
  }
  return undefined;
}

/** `expr` strings of Grafana targets whose datasource (own or inherited from the panel) is Loki, or that look like LogQL. */
function exprsOf(node: unknown, loki: boolean | undefined, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) exprsOf(n, loki, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const here = 'datasource' in o ? (isLoki(o.datasource) ?? loki) : loki;
  if (typeof o.expr === 'string' && o.expr.trim() && (here ?? looksLikeLogQL(o.expr))) out.add(o.expr);
  for (const v of Object.values(o)) exprsOf(v, here, out);
}

export function logqlExpressions(): string[] {
  const out = new Set<string>();
  for (const dir of ['fixtures', 'corpus', 'test']) {
    for (const file of files(join(packageRoot, dir), '.json')) exprsOf(parse(readFileSync(file, 'utf8'), [], { allowTrailingComma: true }), undefined, out);
  }
  for (const file of files(join(packageRoot, 'test'), '.test.ts')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/parseLogQL\('((?:[^'\\]|\\.)*)'\)/g)) out.add(m[1].replace(/\\(.)/g, '$1'));
  }
  return [...out].sort();
}

/** The tree a grammar gives an expression as parseLogQL hands it over (Grafana variables substituted). */
export function logqlTree(parser: LRParser, expr: string): string {
  return parser.parse(substituteVariables(expr).text).toString();
}

/** A release's grammar from its packed index.cjs, its own imports (@lezer/lr) resolved from this package. */
function packedGrammar(version: string, work: string): LRParser {
  const pack = spawnSync('npm', ['pack', `@grafana/lezer-logql@${version}`, '--pack-destination', work], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack @grafana/lezer-logql@${version}: ${pack.stderr}`);
  const dir = join(work, version);
  mkdirSync(dir);
  const tar = spawnSync('tar', ['xzf', join(work, pack.stdout.trim().split('\n').pop()!), '-C', dir]);
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  const module = { exports: {} as { parser: LRParser } };
  new Function('exports', 'require', 'module', readFileSync(join(dir, 'package', 'index.cjs'), 'utf8'))(module.exports, require, module);
  return module.exports.parser;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.length === 4) {
  const work = mkdtempSync(join(tmpdir(), 'cod-logql-'));
  try {
    const [a, b] = process.argv.slice(2).map((v) => packedGrammar(v, work));
    const exprs = logqlExpressions();
    const differ = exprs.filter((e) => logqlTree(a, e) !== logqlTree(b, e));
    for (const e of differ) console.log(`differs: ${e}\n  ${process.argv[2]}: ${logqlTree(a, e)}\n  ${process.argv[3]}: ${logqlTree(b, e)}`);
    console.log(`${exprs.length} LogQL expressions, ${exprs.length - differ.length} identical trees, ${differ.length} different`);
    process.exitCode = differ.length ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
