// Bundles the CLI into one ESM file, dist/cli.js. Dependencies stay external (installed with the package).
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: Object.keys(pkg.dependencies),
  banner: { js: '' },
  logLevel: 'warning',
});
chmodSync('dist/cli.js', 0o755);
