// Bundles the CLI into one ESM file, dist/cli.js. Dependencies stay external (installed with the package).
// The file is replaced atomically (temp file + rename): a CLI run that starts during a rebuild (npm pack's
// prepack in one test, the benchmark in another) reads the old file or the new one, never half of one.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const result = await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: Object.keys(pkg.dependencies),
  banner: { js: '' },
  logLevel: 'warning',
  write: false,
});
mkdirSync('dist', { recursive: true });
const temp = `dist/.cli.js.${process.pid}.tmp`;
writeFileSync(temp, result.outputFiles[0].contents);
chmodSync(temp, 0o755);
renameSync(temp, 'dist/cli.js');
