// A scripted stand-in for the Anthropic Messages API that makes real Claude Code do real work, so that
// every counter the naming oracle compares exists: a Write (lines_of_code, code_edit_tool.decision), a
// Bash `git commit` (commit.count), optionally a Bash `sleep` that keeps the process alive for a scrape of
// the built-in Prometheus exporter, then a text answer. Usage numbers are non-zero, so cost and all four
// token types are recorded. (test/harness/mock-anthropic.ts does the single-Write variant.)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgentScriptOptions {
  /** Seconds of a final `sleep` tool call (0: none). */
  sleepSeconds?: number;
}

export interface MockAgent {
  url: string;
  /** The tool calls answered so far, in order (names). */
  readonly toolCalls: string[];
  close(): Promise<void>;
}

interface MessagesRequest {
  model?: string;
  stream?: boolean;
  system?: unknown;
  tools?: { name?: string }[];
  messages?: { role: string; content: unknown }[];
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

const USAGE = { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 7 };
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
  if (options.sleepSeconds) {
    steps.push({ type: 'tool_use', id: `toolu_s_${n}`, name: 'Bash', input: { command: `sleep ${options.sleepSeconds}`, description: 'Wait', timeout: 120_000 } });
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

/** Claude Code states its cwd in the prompt ("Primary working directory: /..."); Write needs an absolute path. */
function workingDirectory(body: MessagesRequest): string | undefined {
  const text = JSON.stringify([body.system, body.messages]);
  return /working directory: (\/[^"\\]+?)(?:\\n|")/i.exec(text)?.[1];
}

function message(id: string, model: string, content: Block[], stopReason: string | null, usage: object) {
  return { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage };
}

function streamMessage(res: ServerResponse, id: string, model: string, block: Block, stopReason: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('message_start', { type: 'message_start', message: message(id, model, [], null, { ...USAGE, output_tokens: 1 }) });
  if (block.type === 'text') {
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: block.text } });
  } else {
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
    send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
