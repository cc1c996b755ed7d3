// How release numbers are read and ordered (src/model/versions.ts): every version gate rests on these.
import { describe, expect, it } from 'vitest';
import { atLeast, compareVersions, parseVersion } from '../../src/model/versions.js';

describe('parseVersion', () => {
  it('major.minor.patch, with a leading v, spaces around, and anything after the patch', () => {
    expect(parseVersion('0.111.0')).toEqual([0, 111, 0]);
    expect(parseVersion(' v10.2.33 ')).toEqual([10, 2, 33]);
    expect(parseVersion('3.5.0-rc.1')).toEqual([3, 5, 0]);
  });
  it('nothing for text that does not start with a version', () => {
    for (const v of ['latest', 'x1.2.3', '1.2', '']) expect(parseVersion(v), v).toBeUndefined();
  });
});

describe('compareVersions and atLeast', () => {
  it('orders numerically, field by field', () => {
    expect(compareVersions('0.111.0', '0.99.9')).toBeGreaterThan(0);
    expect(compareVersions('0.110.99', '0.111.0')).toBeLessThan(0);
    expect(compareVersions('v2.53.0', '2.53.0')).toBe(0);
    expect(compareVersions('10.0.0', '9.99.99')).toBeGreaterThan(0);
  });
  it('an unreadable version counts as 0.0.0', () => {
    expect(compareVersions('latest', '0.0.1')).toBeLessThan(0);
    expect(compareVersions('0.0.1', 'latest')).toBeGreaterThan(0);
    expect(compareVersions('latest', '0.0.0')).toBe(0);
  });
  it('atLeast is the gate: true from the version on', () => {
    expect([atLeast('0.110.99', '0.111.0'), atLeast('0.111.0', '0.111.0'), atLeast('0.111.1', '0.111.0')]).toEqual([false, true, true]);
  });
});
