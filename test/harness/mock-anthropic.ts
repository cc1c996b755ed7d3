// A tiny stand-in for the Anthropic Messages API, enough for `claude -p` to finish a
// turn offline (reference section 10). The usage numbers are all non-zero so that
// Claude Code emits all four token.usage types.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MockScript = 'text' | 'write-then-text';

export interface MockAnthropicOptions {
  /** 'write-then-text': answer a turn that offers the Write tool with a Write tool_use, then text. */
  script?: MockScript;
}

export interface MockAnthropic {
  url: string;
  /** Number of POST /v1/messages requests answered so far. */
  readonly requests: number;
  /** Parsed bodies of those requests, for tests that want to look. */
  readonly bodies: unknown[];
  close(): Promise<void>;
}

export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  system?: unknown;
  tools?: { name?: string }[];
  messages?: { role: string; content: unknown }[];
}

export type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export const USAGE = {
  input_tokens: 12,
  output_tokens: 5,
  cache_read_input_tokens: 3,
  cache_creation_input_tokens: 7,
};

const REPLY_TEXT = 'Hi from the mock.';
const WRITTEN_FILE = 'hello.py';
const WRITTEN_CONTENT = 'print("hello")\nprint("world")\n';

export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const script = options.script ?? 'text';
  const bodies: unknown[] = [];
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
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      return sendJson(res, { input_tokens: USAGE.input_tokens });
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      // HEAD / is a connectivity probe; any answer is fine.
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : '{"type":"error","error":{"type":"not_found_error","message":"mock"}}');
      return;
    }
    const body = JSON.parse(raw.toString('utf8') || '{}') as MessagesRequest;
    bodies.push(body);
    counter += 1;
    const block = chooseReply(script, body, counter);
    const model = body.model ?? 'claude-mock';
    const id = `msg_mock_${counter}`;
    const stopReason = block.type === 'tool_use' ? 'tool_use' : 'end_turn';
    if (body.stream) streamMessage(res, id, model, block, stopReason);
    else sendJson(res, message(id, model, [block], stopReason, USAGE));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return counter;
    },
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Stateless by design: Claude Code may make side requests (titles, quota checks), so
 * we look at the conversation rather than counting calls. A turn whose last user
 * message carries a tool_result gets text; a fresh turn that offers Write gets Write.
 */
function chooseReply(script: MockScript, body: MessagesRequest, n: number): Block {
  if (script === 'write-then-text' && offersWrite(body) && !endsWithToolResult(body)) {
    const dir = workingDirectory(body);
    return {
      type: 'tool_use',
      id: `toolu_mock_${n}`,
      name: 'Write',
      input: { file_path: dir ? `${dir}/${WRITTEN_FILE}` : WRITTEN_FILE, content: WRITTEN_CONTENT },
    };
  }
  return { type: 'text', text: REPLY_TEXT };
}

function offersWrite(body: MessagesRequest): boolean {
  return (body.tools ?? []).some((t) => t.name === 'Write');
}

function endsWithToolResult(body: MessagesRequest): boolean {
  const last = body.messages?.at(-1);
  return Array.isArray(last?.content) && last.content.some((c: { type?: string }) => c?.type === 'tool_result');
}

/** Claude Code states its cwd in the prompt ("Primary working directory: /..."); Write needs an absolute path. */
export function workingDirectory(body: MessagesRequest): string | undefined {
  const text = JSON.stringify([body.system, body.messages]);
  return /working directory: (\/[^"\\]+?)(?:\\n|")/i.exec(text)?.[1];
}

export function message(id: string, model: string, content: Block[], stopReason: string | null, usage: object) {
  return { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage };
}

export function streamMessage(res: ServerResponse, id: string, model: string, block: Block, stopReason: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('message_start', { type: 'message_start', message: message(id, model, [], null, { ...USAGE, output_tokens: 1 }) });
  if (block.type === 'text') {
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: block.text } });
  } else {
    send('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    });
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
    });
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: USAGE.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

export function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
