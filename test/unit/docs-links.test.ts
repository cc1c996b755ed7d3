import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportsHyperlinks } from '../../src/cli.js';
import { PROBES } from '../../src/probes/index.js';
import { RULES } from '../../src/rules/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { docsUrl, REPOSITORY_URL } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

// Issue #15 items 1 and 8: one repository URL (package.json), and every link the tool prints into it names a file
// (or a heading) this checkout has: SARIF helpUri, the JSON report's helpUri, explain's Docs line, `rules --format
// json`, the schemas' $id, and the OSC 8 links of the pretty report.
const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
const stack = join(FIXTURES_DIR, 'seed-template-stack', 'files');

/** The file (and anchor) in this checkout a repository URL names, or why it names none. */
function target(url: string): { file: string; anchor?: string } {
  const blob = `${REPOSITORY_URL}/blob/main/`;
  const raw = `${REPOSITORY_URL.replace('https://github.com/', 'https://raw.githubusercontent.com/')}/main/`;
  const rest = url.startsWith(blob) ? url.slice(blob.length) : url.startsWith(raw) ? url.slice(raw.length) : undefined;
  if (rest === undefined) throw new Error(`${url} is not a file of ${REPOSITORY_URL}`);
  const [file, anchor] = rest.split('#');
  return { file, anchor };
}
/** GitHub's anchor of a Markdown heading: lower case, punctuation but - and _ dropped, spaces as -. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

function expectExists(url: string) {
  const { file, anchor } = target(url);
  expect(existsSync(join(packageRoot, file)), url).toBe(true);
  if (anchor) {
    const headings = readFileSync(join(packageRoot, file), 'utf8').match(/^#+ .*$/gm) ?? [];
    expect(
      headings.map((h) => anchorOf(h.replace(/^#+ /, ''))),
      url,
    ).toContain(anchor);
  }
}

describe('links into the repository', () => {
  it('package.json names the repository, its home page and its issues, and the tool links there', () => {
    expect(manifest.repository.url).toBe(`git+${REPOSITORY_URL}.git`);
    expect(manifest.homepage).toBe(`${REPOSITORY_URL}#readme`);
    expect(manifest.bugs.url).toBe(`${REPOSITORY_URL}/issues`);
  });

  it('every rule and probe docs page exists', () => {
    for (const r of [...RULES, ...PROBES]) expectExists(docsUrl(r.id));
  });

  it('every URL in SARIF, JSON, explain, rules --format json and the schemas names a file here', () => {
    const texts = [
      runCli(['check', stack, '--format', 'sarif']).stdout,
      runCli(['check', stack, '--format', 'json']).stdout,
      runCli(['rules', '--format', 'json']).stdout,
      ...['settings/missing-protocol', 'probe/otlp-grpc'].map((id) => runCli(['explain', id], { NO_COLOR: '1' }).stdout),
      ...['claude-settings', 'doctor-config', 'report'].map((s) => readFileSync(join(packageRoot, 'schemas', `${s}.schema.json`), 'utf8')),
    ];
    const urls = new Set(texts.flatMap((t) => t.match(/https:\/\/(github\.com|raw\.githubusercontent\.com)\/claude-otel-doctor\/[^\s"')]+/g) ?? []));
    const files = [...urls].filter((u) => u !== REPOSITORY_URL && !u.endsWith('/issues'));
    expect(files.length).toBeGreaterThan(10);
    for (const u of files) expectExists(u);
  });

  it('the JSON report and rules --format json give each id its page', () => {
    const report = JSON.parse(runCli(['check', stack, '--format', 'json']).stdout) as { findings: { ruleId: string; helpUri: string }[] };
    for (const f of report.findings) expect(f.helpUri).toBe(docsUrl(f.ruleId));
    const listed = JSON.parse(runCli(['rules', '--format', 'json']).stdout) as { id: string; helpUri: string }[];
    expect(listed.map((r) => r.id).sort()).toEqual([...RULES, ...PROBES].map((r) => r.id).sort());
  });

  it('rules lists the probes too', () => {
    const text = runCli(['rules'], { NO_COLOR: '1' }).stdout;
    for (const p of PROBES) expect(text).toMatch(new RegExp(`^${p.id} +probe +${p.title.replace(/[()]/g, '.')}`, 'm'));
  });
});

describe('OSC 8 links in the pretty report', () => {
  const osc8 = (url: string, text: string) => `\x1b]8;;${url}\x1b\\${text}\x1b]8;;\x1b\\`;

  it('link each rule id to its page where the terminal shows links, and never otherwise', () => {
    const linked = runCli(['check', stack], { FORCE_COLOR: '1', NO_COLOR: undefined, FORCE_HYPERLINK: '1' }).stdout;
    expect(linked).toContain(osc8(docsUrl('collector/const-label-clash'), 'collector/const-label-clash'));
    expect(runCli(['check', stack], { FORCE_COLOR: '1', NO_COLOR: undefined, FORCE_HYPERLINK: undefined }).stdout).not.toContain('\x1b]8;;');
    expect(runCli(['check', stack], { NO_COLOR: '1', FORCE_HYPERLINK: '1' }).stdout).not.toContain('\x1b]8;;');
  });

  it.each([
    [true, { TERM_PROGRAM: 'vscode' }, true],
    [true, { VTE_VERSION: '7200' }, true],
    [true, { VTE_VERSION: '4800' }, false],
    [true, { TERM_PROGRAM: 'Apple_Terminal' }, false],
    [true, { TERM_PROGRAM: 'iTerm.app', CI: 'true' }, false],
    [false, { TERM_PROGRAM: 'iTerm.app' }, false],
    [false, { FORCE_HYPERLINK: '1' }, true],
    [true, { FORCE_HYPERLINK: '0', TERM_PROGRAM: 'vscode' }, false],
  ])('a terminal (tty %s) with %o: %s', (tty, env, expected) => {
    expect(supportsHyperlinks(tty, env)).toBe(expected);
  });
});
