import { fstatSync, statSync, writeSync } from 'node:fs';

/**
 * Standard output and error for the CLI. On a terminal they are Node's streams (the live status line needs them);
 * anywhere else (a pipe, a file, CI) the text goes out with one synchronous write per call and the streams are never
 * made: making them loads Node's net and tty modules, 3 ms of a check's 60 over Node's own start. Either way a reader
 * that closes the pipe (`| head`) ends the output quietly and the command keeps its exit code, and any other failure
 * to write stdout (a full disk, a descriptor not open for writing) is one line on stderr and exit 2.
 */

type Fd = 1 | 2;

const terminal = new Map<Fd, boolean>();

/**
 * Whether a descriptor is a terminal. A terminal is a character device, and fstat says so without loading the tty
 * module; /dev/null (where benchmark tools such as hyperfine send the output) is one too, and is recognised by its
 * device number. Only another character device (a terminal, /dev/full) is asked the question properly.
 */
export function isTerminal(fd: Fd): boolean {
  let known = terminal.get(fd);
  if (known === undefined) {
    try {
      const st = fstatSync(fd);
      known = st.isCharacterDevice() && !isDevNull(st.rdev) && (fd === 1 ? process.stdout : process.stderr).isTTY === true;
    } catch {
      known = false; // closed
    }
    terminal.set(fd, known);
  }
  return known;
}

function isDevNull(rdev: number): boolean {
  try {
    return statSync('/dev/null').rdev === rdev;
  } catch {
    return false; // no /dev/null (Windows): ask the stream
  }
}

const closed = new Set<Fd>();
const watched = new Set<Fd>();

/** The stream of a descriptor, with the failure handling described above (for a terminal, and the live status line). */
export function stdioStream(fd: Fd): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!watched.has(fd)) {
    watched.add(fd);
    stream.on('error', (err: NodeJS.ErrnoException) => failed(fd, err));
  }
  return stream;
}

export function writeStdout(text: string): void {
  write(1, text);
}

export function writeStderr(text: string): void {
  write(2, text);
}

let redirected: ((fd: Fd, text: string) => void) | undefined;

/**
 * Sends what the CLI writes to `to` instead of its descriptors, for a caller that runs it in its own process and
 * keeps the output (the tests' in-process runs); undefined sends it to the descriptors again.
 */
export function redirectOutput(to: ((fd: Fd, text: string) => void) | undefined): void {
  redirected = to;
}

function write(fd: Fd, text: string): void {
  if (redirected) {
    redirected(fd, text);
    return;
  }
  if (text === '' || closed.has(fd)) return;
  if (isTerminal(fd)) {
    stdioStream(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (err) {
      // A descriptor left non-blocking by whoever shares it: wait for the reader, as Node's stream would.
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      failed(fd, err as NodeJS.ErrnoException);
      return;
    }
  }
}

function failed(fd: Fd, err: NodeJS.ErrnoException): void {
  closed.add(fd);
  // The reader stopped early (`| head`): nothing more to say, and the exit code is still the command's.
  if (err.code === 'EPIPE') return;
  if (fd === 1) {
    try {
      writeSync(2, `claude-otel-doctor: cannot write the report to stdout (${err.message})\n`);
    } catch {
      // stderr is gone too: the exit code still says it
    }
  }
  process.exit(2);
}
