import { defineRule, type RuleFinding } from '../define.js';
import { isTruthy, type EffectiveVar } from '../../model/claude-env.js';
import { tracesEnabled, type Prediction } from '../../model/prediction.js';
import { atLeast } from '../../model/versions.js';
import { displayUrl } from '../../model/credentials.js';
import { atValue, where } from '../../model/settings-locate.js';

/** `assistant_response` events and OTEL_LOG_ASSISTANT_RESPONSES (CHANGELOG 2.1.193). */
const ASSISTANT_RESPONSES_FROM = '2.1.193';

const WHAT: Record<string, string> = {
  OTEL_LOG_USER_PROMPTS: 'the full text of every prompt is exported on user_prompt events (and on spans when those are on) instead of <REDACTED>',
  OTEL_LOG_ASSISTANT_RESPONSES: "the full text of Claude's answers is exported on assistant_response events",
  OTEL_LOG_TOOL_DETAILS:
    'tool parameters and inputs (shell commands, file paths, edited text), MCP server, skill and plugin names and full error strings are exported',
  OTEL_LOG_TOOL_CONTENT: 'tool input and output is exported as span events',
  OTEL_LOG_RAW_API_BODIES:
    'complete API request and response bodies (system prompt, conversation, file contents, tool results) are emitted as api_request_body / api_response_body events',
};

interface Logged {
  variable: string;
  value: string;
  where: string;
  /** OTEL_LOG_USER_PROMPTS only: answers are logged too, since OTEL_LOG_ASSISTANT_RESPONSES is unset and follows it. */
  answersFollow: boolean;
  /** Telemetry init fails, so nothing is exported yet. */
  initFailure: boolean;
  /** Where the events (spans for tool content) go: URLs without credentials, `the terminal`, exporter names; none yet when empty. */
  places: string[];
}

const messages = {
  logged: {
    message: (d: Logged) => `${d.variable}=${d.value} exports sensitive content${d.answersFollow ? ", Claude's answers included" : ''}`,
    detail: (d: Logged) =>
      `set ${d.where}: ${WHAT[d.variable]}${d.answersFollow ? ", and so are Claude's answers (OTEL_LOG_ASSISTANT_RESPONSES is unset and follows it)" : ''}${destination(d)}`,
  },
} as const;

export default defineRule({
  id: 'settings/sensitive-logging',
  severity: 'info',
  title: 'Prompts, answers or tool content leave the machine',
  checks:
    'With telemetry on: OTEL_LOG_USER_PROMPTS, OTEL_LOG_ASSISTANT_RESPONSES, OTEL_LOG_TOOL_DETAILS, OTEL_LOG_RAW_API_BODIES (1/true/yes/on, or file:<dir>) and, when spans are on, OTEL_LOG_TOOL_CONTENT.',
  why: 'These switches put conversation content into telemetry: prompt text, answers, shell commands, file paths and contents, possibly secrets pasted into a prompt. Whoever can read the telemetry back end can read them; make it a deliberate choice (and check retention and access).',
  fix: 'none',
  versions: 'all versions; OTEL_LOG_ASSISTANT_RESPONSES from 2.1.193 (follows OTEL_LOG_USER_PROMPTS when unset)',
  bad: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com",\n    "OTEL_LOG_USER_PROMPTS": "1",\n    "OTEL_LOG_TOOL_DETAILS": "1"\n  }\n}\n',
  },
  good: {
    file: '~/.claude/settings.json',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com"\n  }\n}\n',
  },
  references: ['https://code.claude.com/docs/en/monitoring-usage (OTEL_LOG_* variables, events)', 'https://github.com/anthropics/claude-code/issues/5508'],
  messages,
  oracle: 'fixtures',
  stage: 'Claude Code settings',
  check(ws) {
    const env = ws.claude.env;
    const prediction = ws.claude.prediction;
    if (!prediction.telemetryEnabled) return [];
    const findings: RuleFinding<typeof messages>[] = [];
    const responsesFollow = atLeast(ws.claude.version.version, ASSISTANT_RESPONSES_FROM) && !env.has('OTEL_LOG_ASSISTANT_RESPONSES');
    for (const name of Object.keys(WHAT)) {
      const v = env.get(name);
      if (!v || !isOn(v)) continue;
      if (name === 'OTEL_LOG_TOOL_CONTENT' && !tracesEnabled(env)) continue;
      if (name === 'OTEL_LOG_ASSISTANT_RESPONSES' && !atLeast(ws.claude.version.version, ASSISTANT_RESPONSES_FROM)) continue;
      findings.push({
        ...atValue(v.origin, name),
        kind: 'logged',
        data: {
          variable: name,
          value: v.value.trim(),
          where: where(v.origin),
          answersFollow: name === 'OTEL_LOG_USER_PROMPTS' && responsesFollow,
          initFailure: !!prediction.initFailure,
          places: places(prediction, name),
        },
        hint: `keep it only if the back end may hold conversation content; otherwise remove it or set it to "0"${name === 'OTEL_LOG_USER_PROMPTS' && responsesFollow ? ' (set OTEL_LOG_ASSISTANT_RESPONSES to "0" to keep prompts but not answers)' : ''}`,
      });
    }
    return findings;
  },
});

function isOn(v: EffectiveVar): boolean {
  return isTruthy(v.value) || (v.name === 'OTEL_LOG_RAW_API_BODIES' && v.value.trim().startsWith('file:'));
}

const signalOf = (variable: string) => (variable === 'OTEL_LOG_TOOL_CONTENT' ? 'traces' : 'logs');

/** Where the content goes now. */
function places(prediction: Prediction, variable: string): string[] {
  const signal = prediction.signals.find((s) => s.signal === signalOf(variable))!;
  if (!signal.exported) return [];
  return signal.exporters.map((e) => (e === 'otlp' && signal.url ? displayUrl(signal.url) : e === 'console' ? 'the terminal' : e));
}

/** Where the content goes now, in words. */
function destination(d: Logged): string {
  if (d.initFailure) return ' (nothing is exported until the telemetry init error is fixed)';
  const traces = signalOf(d.variable) === 'traces';
  if (d.places.length === 0)
    return traces ? ' (no traces exporter is active yet)' : ' (no logs exporter is active yet, so this takes effect as soon as one is set)';
  return `; the ${traces ? 'spans' : 'events'} go to ${d.places.join(' and ')}`;
}
