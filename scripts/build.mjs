// Bundles the CLI into one ESM file, dist/run.js, behind a small entry dist/cli.js (the bin), and the library API (src/api.ts) into dist/api.js. Dependencies
// stay external (installed with the package). With --types (prepack) it also writes the API's type declarations
// to dist/types/ (the package's "types"); plain builds, which the tests run, skip that type-checking pass.
// Each file is replaced atomically (temp file + rename): a CLI run that starts during a rebuild (npm pack's
// prepack in one test, the benchmark in another) reads the old file or the new one, never half of one.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
mkdirSync('dist', { recursive: true });
for (const [entry, out, mode] of [
  // The bin: a small entry that answers --version at once and loads the CLI bundle (run.js) otherwise.
  ['src/entry.ts', 'cli.js', 0o755],
  ['src/cli.ts', 'run.js', 0o644],
  ['src/api.ts', 'api.js', 0o644],
]) {
  const result = await build({
    entryPoints: [entry],
    outfile: `dist/${out}`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: Object.keys(pkg.dependencies),
    banner: { js: '' },
    logLevel: 'warning',
    write: false,
  });
  const temp = `dist/.${out}.${process.pid}.tmp`;
  writeFileSync(temp, result.outputFiles[0].contents);
  chmodSync(temp, mode);
  renameSync(temp, `dist/${out}`);
}

if (process.argv.includes('--types')) {
  const { default: ts } = await import('typescript');
  const program = ts.createProgram(['src/api.ts'], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    resolveJsonModule: true,
    types: ['node'],
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: 'src',
    outDir: 'dist/types',
  });
  const { diagnostics } = program.emit();
  if (diagnostics.length) {
    console.error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
    process.exit(1);
  }
}
