/**
 * The one wording for a version the doctor assumed rather than read: "collector 0.165.0 (assumed: the newest the
 * doctor knows; no pinned image or --collector-version)". Rules and reports name an assumption this way only, and a
 * finding names it in its detail, never in its headline.
 */
export function assumedVersionText(tool: string, version: string, newestKnown: boolean, why: string): string {
  return `${tool} ${version} (assumed: ${newestKnown ? 'the newest the doctor knows; ' : ''}${why})`;
}
