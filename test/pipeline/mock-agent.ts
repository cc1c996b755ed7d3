// A scripted stand-in for the Anthropic Messages API that makes real Claude Code do real work, so that
// every counter the naming oracle compares exists: a Write (lines_of_code, code_edit_tool.decision), a
// Bash `git commit` (commit.count), optionally a Bash `sleep` that keeps the process alive for a scrape of
// the built-in Prometheus exporter, then a text answer. Usage numbers are non-zero, so cost and all four
// token types are recorded. (test/harness/mock-anthropic.ts does the single-Write variant.)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The Messages API wire format (SSE events, message shape) is the harness mock's; this mock only scripts other turns.
import { message, readBody, sendJson, streamMessage, USAGE, workingDirectory, type Block, type MessagesRequest } from '../harness/mock-anthropic.js';

export interface AgentScriptOptions {
  /** Seconds of a final `sleep` tool call (0: none). */
  sleepSeconds?: number;
  /** Bash commands run after the commit (e.g. `gh pr create` for pull_request.count). */
  thenBash?: string[];
}

export interface MockAgent {
  url: string;
  /** The tool calls answered so far, in order (names). */
  readonly toolCalls: string[];
  close(): Promise<void>;
}

export const WRITTEN_FILE = 'hello.py';
const WRITTEN_CONTENT = 'print("hello")\nprint("world")\n';

export async function startMockAgent(options: AgentScriptOptions = {}): Promise<MockAgent> {
  const toolCalls: string[] = [];
  let counter = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') return sendJson(res, { input_tokens: USAGE.input_tokens });
    if (req.method !== 'POST' || path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : '{"type":"error","error":{"type":"not_found_error","message":"mock"}}');
      return;
    }
    const body = JSON.parse(raw.toString('utf8') || '{}') as MessagesRequest;
    counter += 1;
    const block = nextStep(body, counter, options);
    if (block.type === 'tool_use') toolCalls.push(block.name);
    const model = body.model ?? 'claude-mock';
    const stopReason = block.type === 'tool_use' ? 'tool_use' : 'end_turn';
    if (body.stream) streamMessage(res, `msg_mock_${counter}`, model, block, stopReason);
    else sendJson(res, message(`msg_mock_${counter}`, model, [block], stopReason, USAGE));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get toolCalls() {
      return toolCalls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Stateless: the step follows from the conversation (how many tool results it holds), so side requests
 * (titles, quota checks) that offer no tools get plain text and do not disturb the script.
 */
function nextStep(body: MessagesRequest, n: number, options: AgentScriptOptions): Block {
  const offers = (name: string) => (body.tools ?? []).some((t) => t.name === name);
  if (!offers('Write') || !offers('Bash')) return { type: 'text', text: 'ok' };
  const done = toolResults(body);
  const dir = workingDirectory(body);
  const steps: Block[] = [
    { type: 'tool_use', id: `toolu_w_${n}`, name: 'Write', input: { file_path: dir ? `${dir}/${WRITTEN_FILE}` : WRITTEN_FILE, content: WRITTEN_CONTENT } },
    {
      type: 'tool_use',
      id: `toolu_c_${n}`,
      name: 'Bash',
      input: { command: `git add ${WRITTEN_FILE} && git commit -m "Add hello.py"`, description: 'Commit the new file' },
    },
  ];
  for (const [i, command] of (options.thenBash ?? []).entries()) {
    steps.push({ type: 'tool_use', id: `toolu_b${i}_${n}`, name: 'Bash', input: { command, description: 'Run a command' } });
  }
  if (options.sleepSeconds) {
    steps.push({
      type: 'tool_use',
      id: `toolu_s_${n}`,
      name: 'Bash',
      input: { command: `sleep ${options.sleepSeconds}`, description: 'Wait', timeout: 120_000 },
    });
  }
  return steps[done] ?? { type: 'text', text: 'Done: wrote and committed hello.py.' };
}

function toolResults(body: MessagesRequest): number {
  let count = 0;
  for (const m of body.messages ?? []) {
    if (m.role === 'user' && Array.isArray(m.content)) count += m.content.filter((c: { type?: string }) => c?.type === 'tool_result').length;
  }
  return count;
}
