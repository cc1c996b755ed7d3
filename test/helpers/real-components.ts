import { describe, it } from 'vitest';

/**
 * A describe block that needs real components: runs when `missing` is undefined; otherwise fails in CI (a missing
 * real component is a failure there) and is skipped loudly elsewhere.
 */
export function describeWithComponents(name: string, missing: string | undefined, body: () => void): void {
  if (!missing) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its real components', () => {
        throw new Error(missing);
      });
    });
    return;
  }
  console.warn(`\n*** SKIPPING "${name}": ${missing} ***\n`);
  describe.skip(name, body);
}
