import { isTerminal } from './stdio.js';

/**
 * Colour on or off, decided when the command runs (not at import, so tests and wrappers that set
 * NO_COLOR or FORCE_COLOR late are obeyed): NO_COLOR wins, then FORCE_COLOR, then a real terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = { isTTY: isTerminal(1) }): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}
