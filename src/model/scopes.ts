/**
 * Where a Claude Code setting can come from, highest precedence first, as observed on 2.1.197:
 * managed > --settings > project local > project shared > user > ~/.claude.json > shell.
 */
export const SCOPES = ['managed', 'flag', 'local', 'project', 'user', 'global', 'shell'] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_LABEL: Record<Scope, string> = {
  managed: 'managed settings',
  flag: '--settings',
  local: 'project local settings (.claude/settings.local.json)',
  project: 'project settings (.claude/settings.json)',
  user: 'user settings (~/.claude/settings.json)',
  global: '~/.claude.json',
  shell: 'shell environment',
};

/** Higher number wins. */
export function scopeRank(scope: Scope): number {
  return SCOPES.length - SCOPES.indexOf(scope);
}

/** Files a team commits to a repository: secrets there leak. */
export function isSharedScope(scope: Scope): boolean {
  return scope === 'project';
}

/**
 * Scopes the user wrote or chose (managed, --settings, user, ~/.claude.json, the shell): a command from them may
 * run and their credentials may be sent. Project and local settings come with a repository the user may not have
 * written; they count only with --trust-project.
 */
export function isTrustedScope(scope: Scope, trustProject = false): boolean {
  return trustProject || (scope !== 'project' && scope !== 'local');
}
