import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './util/paths.js';

const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };

export const TOOL_VERSION: string = manifest.version;

/** The repository on GitHub (package.json `repository`), where every link the tool prints points. */
export const REPOSITORY_URL: string = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The page that documents a rule or probe: docs/rules/<area>/<name>.md, or the probes page's section. */
export function docsUrl(id: string): string {
  const docs = `${REPOSITORY_URL}/blob/main/docs/`;
  return id.startsWith('probe/') ? `${docs}probes.md#${id.replace(/[^a-z0-9-]/g, '')}` : `${docs}rules/${id}.md`;
}
