/**
 * Longest name a "did you mean" search compares. The distance costs length × length per candidate; names people
 * mistype are far shorter, and a hostile file's megabyte-long key must not turn a suggestion into minutes of work.
 */
export const MAX_COMPARED_LENGTH = 128;

/** Longer than anything a suggestion accepts: the caller finds no suggestion. */
const TOO_FAR = Number.POSITIVE_INFINITY;

/** Levenshtein distance (insertions, deletions, substitutions), for "did you mean" hints. */
export function levenshtein(a: string, b: string): number {
  if (a.length > MAX_COMPARED_LENGTH || b.length > MAX_COMPARED_LENGTH) return TOO_FAR;
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, as Damerau's common variant). With
 * `max`, gives up as soon as the distance must exceed it (a row's smallest entry never decreases) and returns
 * max + 1: a suggestion search over many names then costs little more than reading them.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a.length > MAX_COMPARED_LENGTH || b.length > MAX_COMPARED_LENGTH) return TOO_FAR;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before = new Array<number>(b.length + 1).fill(0); // row i-2
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j); // row i-1
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row[j] = d;
      if (d < smallest) smallest = d;
    }
    if (smallest > max) return max + 1;
    [before, prev, row] = [prev, row, before];
  }
  return prev[b.length];
}

/** How a "did you mean" search measures: plain Levenshtein, or with adjacent transpositions as one edit. */
export type Measure = 'levenshtein' | 'transpositions';

export interface Near {
  /** Every candidate at the smallest distance, in the order given. */
  names: string[];
  distance: number;
}

/**
 * The candidates within `maxDistance` of `word`, nearest first (candidates at one distance in the order given):
 * the one "did you mean" search. A name too long to compare is never suggested.
 */
export function within(
  word: string,
  candidates: Iterable<string>,
  maxDistance: number,
  measure: Measure = 'levenshtein',
): { name: string; distance: number }[] {
  const found: { name: string; distance: number }[] = [];
  for (const name of candidates) {
    const distance = measure === 'levenshtein' ? levenshtein(word, name) : editDistance(word, name, maxDistance);
    if (distance <= maxDistance && distance !== TOO_FAR) found.push({ name, distance });
  }
  return found.sort((a, b) => a.distance - b.distance);
}

/** The candidates nearest to `word` within `maxDistance`, or undefined when none is that close. */
export function nearest(word: string, candidates: Iterable<string>, maxDistance: number, measure: Measure = 'levenshtein'): Near | undefined {
  const found = within(word, candidates, maxDistance, measure);
  if (found.length === 0) return undefined;
  const distance = found[0].distance;
  return { names: found.filter((f) => f.distance === distance).map((f) => f.name), distance };
}

/** How far a misspelt name may be from a known one and still get a suggestion: a third of its length, at least 2. */
export function typoDistance(name: string): number {
  return Math.max(2, Math.floor(name.length / 3));
}

/**
 * ` (did you mean "check"?)` for a misspelt word among known ones, else "". For rule ids (`area/name`), a word
 * without the area is compared with the names too.
 */
export function didYouMean(word: string, candidates: Iterable<string>, quote = '"'): string {
  const list = [...candidates];
  const near = nearest(word, list, typoDistance(word), 'transpositions') ?? (word.includes('/') ? undefined : nearestByName(word, list));
  return near
    ? ` (did you mean ${near.names
        .slice(0, 3)
        .map((n) => `${quote}${n}${quote}`)
        .join(' or ')}?)`
    : '';
}

/** For `missing-protcol` among `settings/missing-protocol`…: compared without the areas. */
function nearestByName(word: string, ids: string[]): Near | undefined {
  const byName = new Map<string, string[]>();
  for (const id of ids) {
    const name = id.slice(id.indexOf('/') + 1);
    if (name !== id) byName.set(name, [...(byName.get(name) ?? []), id]);
  }
  const near = nearest(word, byName.keys(), typoDistance(word), 'transpositions');
  return near && { names: near.names.flatMap((n) => byName.get(n) ?? []), distance: near.distance };
}
