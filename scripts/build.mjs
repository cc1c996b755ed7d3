// Builds three files into dist/:
// - cli.js, the bin: a small ESM entry (src/entry.ts) that answers --version at once and otherwise loads run.cjs
//   through V8's code cache;
// - run.cjs, the CLI (src/cli.ts) with its dependencies bundled in (undici, which only the probes load, stays
//   outside): one CommonJS file, because a script is what Node 20 can compile from a code cache (vm.Script
//   `cachedData`), and because resolving and compiling the dependencies' own files (about 80 of them: yaml, lezer,
//   ajv) took a third of a check's time. The dependencies loaded on first use (src/util/lazy.ts) stay lazy: the
//   build hands esbuild a lazy.ts whose `require` calls it can see, and esbuild wraps each bundled package so that
//   it runs only when that `require` is called;
// - api.js, the library API (src/api.ts), ESM with its dependencies external (installed with the package).
// With --types (prepack) it also writes the API's type declarations to dist/types/ (the package's "types"); plain
// builds, which the tests run, skip that type-checking pass.
// Each file is replaced atomically (temp file + rename): a CLI run that starts during a rebuild (npm pack's
// prepack in one test, the benchmark in another) reads the old file or the new one, never half of one.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies);

/** Every id passed to lazyRequire in src/ (a string literal, by the convention of src/util/lazy.ts). */
function lazyIds(dir = 'src') {
  const ids = new Set();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) for (const id of lazyIds(p)) ids.add(id);
    else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/lazyRequire<[^;]*?>\(\s*'([^']+)'\s*\)/g)) ids.add(m[1]);
  }
  return ids;
}

/** src/util/lazy.ts for the bundle: the same function, with one literal `require` per id so that esbuild bundles it. */
const lazyForBundle = {
  name: 'lazy-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]util[\\/]lazy\.ts$/ }, () => {
      const cases = [...lazyIds()].map((id) => `    case ${JSON.stringify(id)}: return require(${JSON.stringify(id)});`);
      return {
        loader: 'js',
        contents: `export function lazyRequire(id) {
  let mod;
  return () => (mod ??= load(id));
}
function load(id) {
  switch (id) {
${cases.join('\n')}
    default: throw new Error(\`lazyRequire: "\${id}" is not among the modules scripts/build.mjs found in src/\`);
  }
}
`,
      };
    });
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', write: false };
const builds = [
  // The bin: answers --version without loading anything else.
  ['cli.js', 0o755, { entryPoints: ['src/entry.ts'], format: 'esm', external }],
  [
    'run.cjs',
    0o644,
    {
      entryPoints: ['src/cli.ts'],
      format: 'cjs',
      external: ['undici'],
      // ESM builds first (jsonc-parser's main is a UMD file whose requires esbuild cannot follow).
      mainFields: ['module', 'main'],
      // `import('undici')` becomes a require: a script compiled through vm.Script has no dynamic import on Node 20.
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__codModuleUrl' },
      plugins: [lazyForBundle],
    },
  ],
  ['api.js', 0o644, { entryPoints: ['src/api.ts'], format: 'esm', external }],
];

mkdirSync('dist', { recursive: true });
rmSync('dist/run.js', { force: true }); // the ESM bundle of earlier builds
for (const [out, mode, options] of builds) {
  const result = await build({ ...common, ...options });
  let text = result.outputFiles[0].text;
  // A hashbang (src/cli.ts has one) is only valid at the start of a file, not inside the function that wraps run.cjs.
  if (out === 'run.cjs') {
    // The URL import.meta.url stands for, declared after "use strict" (a banner would come before it, and the file
    // would not be strict code as the ESM sources are).
    const strict = '"use strict";\n';
    text = text.replace(/^#!.*\n/, '');
    if (!text.startsWith(strict)) throw new Error('build: run.cjs does not start with "use strict"');
    text = `${strict}const __codModuleUrl = require("node:url").pathToFileURL(__filename).href;\n${text.slice(strict.length)}`;
  }
  const temp = `dist/.${out}.${process.pid}.tmp`;
  writeFileSync(temp, text);
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
