import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesGlob } from '../../src/util/glob.js';

// Config globs (ignorePaths, ignore[].path) are read by picomatch, with a folder pattern covering what is inside.
describe('config globs', () => {
  it.each([
    ['docs/a.json', 'docs', true],
    ['docs/deep/a.json', 'docs', true],
    ['docs/deep/a.json', 'docs/', false],
    ['docs/deep/a.json', 'docs/**', true],
    ['stacks/dev/compose.yaml', 'stacks/{dev,test}/*.yaml', true],
    ['stacks/prod/compose.yaml', 'stacks/{dev,test}/*.yaml', false],
    ['dash/v1.json', 'dash/v[0-9].json', true],
    ['dash/vx.json', 'dash/v[0-9].json', false],
    ['dash/vx.json', 'dash/v[^0-9].json', true],
    ['.claude/settings.json', '.claude/*.json', true],
    ['a/.env', '**/.env', true],
    ['a/b/c.yaml', './a/**/*.yaml', true],
    ['ab.yaml', 'a?.yaml', true],
    ['a/b.yaml', 'a?b.yaml', false],
    ['dashboards/x.json', '*.json', false],
    ['../other/x.yaml', '../other/*.yaml', true],
    ['../other/x.yaml', '../**/x.yaml', true],
    ['x.yaml', '../**/x.yaml', true],
  ])('%s against %s: %s', (path, glob, expected) => {
    expect(matchesGlob('/repo/cfg', posix.join('/repo/cfg', path), glob)).toBe(expected);
  });

  it('a config folder whose name holds glob characters is taken literally', () => {
    expect(matchesGlob('/w/[x]{a,b}', '/w/[x]{a,b}/d/a.json', 'd/*.json')).toBe(true);
    expect(matchesGlob('/w/[x]{a,b}', '/w/xa/d/a.json', 'd/*.json')).toBe(false);
  });
});
