import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/util/color.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { join } from 'node:path';

describe('colour', () => {
  it('NO_COLOR wins, FORCE_COLOR forces, otherwise only a terminal gets colour', () => {
    expect(colorEnabled({ NO_COLOR: '1', FORCE_COLOR: '1' }, { isTTY: true })).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, { isTTY: false })).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, { isTTY: true })).toBe(false);
    expect(colorEnabled({}, { isTTY: true })).toBe(true);
    expect(colorEnabled({ CI: 'true' }, { isTTY: false })).toBe(false);
  });
  it('reaches the report: escape codes with FORCE_COLOR, none with NO_COLOR or --no-color', () => {
    const home = join(FIXTURES_DIR, 'settings-missing-protocol-fail-grpc-port', 'home');
    const args = ['check', '--no-shell-env', '--home', home, '--project', home, '--managed-dir', home];
    expect(runCli(args, { FORCE_COLOR: '1', NO_COLOR: undefined }).stdout).toContain('\u001b[');
    expect(runCli(args, { NO_COLOR: '1' }).stdout).not.toContain('\u001b[');
    expect(runCli([...args, '--no-color'], { FORCE_COLOR: '1', NO_COLOR: undefined }).stdout).not.toContain('\u001b[');
  });
});
