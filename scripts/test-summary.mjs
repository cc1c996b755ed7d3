// The closing line of `npm test` (scripts/test.mjs), from vitest's JSON report: passed, failed, skipped, and how
// many suites (file › outermost describe) the skipped tests belong to. A skipped suite is part of the proof that
// did not run, so the line always says how many; in CI over the whole suite a skipped test fails the run.

const SKIPPED = ['skipped', 'pending', 'todo', 'disabled'];

/**
 * @param {{ numPassedTests: number, numFailedTests: number, testResults: { name: string, assertionResults: { status: string, ancestorTitles: string[] }[] }[] }} report
 * @param {{ root: string, inCI: boolean, filtered: boolean }} run `filtered`: arguments narrowed the run (`-t`, files), so tests left out count as skipped
 * @returns {{ line: string, skippedSuites: string[], failsCI: boolean }}
 */
export function summarize(report, { root, inCI, filtered }) {
  const suites = new Set();
  let skipped = 0;
  for (const file of report.testResults) {
    for (const t of file.assertionResults) {
      if (!SKIPPED.includes(t.status)) continue;
      skipped++;
      const rel = file.name.startsWith(`${root}/`) ? file.name.slice(root.length + 1) : file.name;
      suites.add(t.ancestorTitles.length ? `${rel} › ${t.ancestorTitles[0]}` : rel);
    }
  }
  const n = suites.size;
  return {
    line: `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped (${n} suite${n === 1 ? '' : 's'})`,
    skippedSuites: [...suites],
    failsCI: inCI && !filtered && skipped > 0,
  };
}
