import { defineRule, type RuleFinding } from '../define.js';
import { isTruthy, type EnvSetting } from '../../model/claude-env.js';
import { parseExporterList } from '../../model/prediction.js';
import type { Scope } from '../../model/scopes.js';
import { displayUrl } from '../../model/credentials.js';
import { mayHoldSecret } from '../../util/secrets.js';
import { atValue, where } from '../../model/settings-locate.js';

interface Shadowed {
  variable: string;
  /** The values as shown (credentials masked); undefined when the variable may hold a secret. */
  value?: string;
  winningValue?: string;
  where: string;
  /** Where the value in effect is set, e.g. `user settings.json`. */
  winnerPlace: string;
}

const setting = (d: Shadowed) => (d.value === undefined ? d.variable : `${d.variable}=${d.value}`);
const winning = (d: Shadowed) => d.winningValue ?? 'a different value';

const messages = {
  notApplied: {
    message: (d: Shadowed) => `${d.variable} ${d.where} is not applied: ${d.winnerPlace} sets ${winning(d)}`,
    detail: (d: Shadowed & { reason: string }) => `${setting(d)}: ${d.reason}`,
  },
  noEffect: {
    message: (d: Shadowed) => `${d.variable} ${d.where} has no effect: ${d.winnerPlace} sets ${winning(d)}`,
    detail: (d: Shadowed & { winnerScope: Scope; scope: Scope }) => `${setting(d)}: ${precedence(d.winnerScope, d.scope)}`,
  },
} as const;

export default defineRule({
  id: 'settings/shadowed-variable',
  severity: 'info',
  title: 'Variable set in several places with different values',
  checks:
    'A variable is set in more than one place (managed settings, --settings, project local, project, user, ~/.claude.json, shell) with values that differ; each value that loses is reported with the value that wins and why.',
  why: 'Claude Code applies exactly one value per variable, and the order surprises people: any settings file beats an exported shell variable, local beats project beats user, managed beats everything, a file that fails to parse or validate counts for nothing, and newer versions ignore project-level telemetry destinations. Editing the value that loses changes nothing.',
  fix: 'none',
  versions: 'all versions (precedence observed on 2.1.197; version gates from 2.1.217 and 2.1.282)',
  bad: {
    file: '~/.claude/settings.json + ~/.zshrc',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "none"\n  }\n}\n---\nexport OTEL_METRICS_EXPORTER=otlp\n',
  },
  good: {
    file: '~/.claude/settings.json + ~/.zshrc',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp"\n  }\n}\n---\n# OTEL_METRICS_EXPORTER is no longer exported here: the settings file sets it\n',
  },
  references: [
    'measured on real Claude Code: test/conformance/cases.ts, case "shadowed-variable: settings "none" beats a shell "otlp""',
    'https://code.claude.com/docs/en/settings-reference ("A value here overwrites the same variable exported in your shell")',
    'https://code.claude.com/docs/en/settings (settings precedence)',
  ],
  messages,
  oracle: 'claude-code',
  stage: 'Claude Code settings',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    for (const v of ws.claude.env.values()) {
      if (v.all.length < 2) continue;
      const winner = v.all.find((s) => !s.ignored)!;
      for (const s of v.all) {
        if (s === winner || sameMeaning(v.name, s.value, winner.value)) continue;
        const ignoredFirst = s.ignored && outranks(s, winner, v.all);
        const secret = mayHoldSecret(v.name);
        const winnerPlace = where(winner.origin).replace(/^in /, '');
        const shadowed: Shadowed = {
          variable: v.name,
          value: secret ? undefined : show(v.name, s.value),
          winningValue: secret ? undefined : show(v.name, winner.value),
          where: where(s.origin),
          winnerPlace,
        };
        findings.push({
          ...atValue(s.origin, v.name),
          ...(ignoredFirst
            ? { kind: 'notApplied' as const, data: { ...shadowed, reason: s.ignored! } }
            : { kind: 'noEffect' as const, data: { ...shadowed, winnerScope: winner.origin.scope, scope: s.origin.scope } }),
          hint: ignoredFirst
            ? `fix what keeps this value from applying if it is the one you want; otherwise remove it so only ${winnerPlace} sets ${v.name}`
            : `change ${v.name} ${where(winner.origin)} (the value in effect), or remove one of the two so there is one source of truth`,
        });
      }
    }
    return findings;
  },
});

/** Whether `s` would have won over `winner` had it not been ignored. */
function outranks(s: EnvSetting, winner: EnvSetting, ordered: EnvSetting[]): boolean {
  return ordered.indexOf(s) < ordered.indexOf(winner);
}

const SCOPE_SHORT: Record<Scope, string> = {
  managed: 'managed settings',
  flag: '--settings',
  local: '.claude/settings.local.json',
  project: '.claude/settings.json',
  user: 'user settings',
  global: '~/.claude.json',
  shell: 'the shell environment',
};

function precedence(winner: Scope, loser: Scope): string {
  if (winner === loser) {
    if (winner === 'managed') return 'managed-settings.d drop-ins apply on top of managed-settings.json in alphabetical order, the last one winning';
    return 'the later definition wins';
  }
  if (loser === 'shell') return "a settings file's env overwrites the variable exported in the shell";
  return `${SCOPE_SHORT[winner]} ${winner === 'managed' || winner === 'user' ? 'take' : 'takes'} precedence over ${SCOPE_SHORT[loser]} (managed > --settings > local > project > user > ~/.claude.json > shell)`;
}

const BOOLEAN =
  /^(CLAUDE_CODE_ENABLE_TELEMETRY|CLAUDE_CODE_ENHANCED_TELEMETRY_BETA|ENABLE_ENHANCED_TELEMETRY_BETA|OTEL_LOG_(USER_PROMPTS|ASSISTANT_RESPONSES|TOOL_DETAILS|TOOL_CONTENT)|OTEL_METRICS_INCLUDE_\w+|CLAUDE_CODE_OTEL_DIAG_STDERR)$/;

/** Values that Claude Code reads the same way do not conflict: "1" and "true" for a switch, "otlp" and " otlp,none" for an exporter. */
function sameMeaning(name: string, a: string, b: string): boolean {
  if (BOOLEAN.test(name)) return isTruthy(a) === isTruthy(b);
  if (/^OTEL_(METRICS|LOGS|TRACES)_EXPORTER$/.test(name)) return parseExporterList(a).join(',') === parseExporterList(b).join(',');
  return a.trim() === b.trim();
}

function show(name: string, value: string): string {
  const v = /_ENDPOINT$/.test(name) ? displayUrl(value) : value;
  return /^[\w.:/,@+=-]+$/.test(v) ? v : JSON.stringify(v);
}
