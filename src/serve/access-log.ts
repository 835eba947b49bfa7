/**
 * The access log: one JSON line per request, in the shape pino gives the server's other log lines
 * (`{"level":30,"time":"<ISO>",<bindings>,"method",...,"msg":"request"}`), built by hand and written
 * once per event-loop turn.
 *
 * Why not `logger.info(...)` per request: a `--cpu-prof` of 1-row requests under wrk put pino's
 * per-line work (serialising, the ISO time, one write call per line) at 15-20% of the main thread.
 * Here a line is one template string; the ISO time is formatted at most once per millisecond; and
 * the lines of every request answered in one turn go to the destination in a single `write`, so
 * under load one write carries tens of lines, while an idle server still logs each request within
 * the turn that answered it. When the destination is a regular file, that write is a `writeSync` to
 * its descriptor (see `flush`).
 */

import { fstatSync, writeSync } from 'node:fs';

/** Where lines go: pino's destination (sonic-boom), shared with the server's other log lines. */
export interface LogSink {
  write(chunk: string): unknown;
  /** The destination's file descriptor (sonic-boom's `fd`), when it has one. */
  fd?: number;
}

/**
 * The sink's descriptor when it is a regular file, which the log then writes to directly; else
 * undefined. Only files: a write to one never waits for a reader, while a pipe or a terminal can
 * block the event loop, so those keep the destination's asynchronous write.
 */
export function fileFd(sink: LogSink): number | undefined {
  const fd = sink.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return fstatSync(fd).isFile() ? fd : undefined;
  } catch {
    return undefined;
  }
}

/** pino's numeric level for `info`. */
const INFO = 30;

/**
 * `ms` as `String(Math.round(ms * 100) / 100)` prints it, without printing a double: whole
 * milliseconds (a small integer, which V8 keeps in its number-string cache) and one of 100 fixed
 * fraction texts. `r / 100` for a whole `r` below 1e15 is the double nearest a decimal of at most 15
 * digits, which is exactly what the shortest round-trip printing of `Number#toString` gives back.
 */
const CENTS = Array.from({ length: 100 }, (_, c) => (c === 0 ? '' : `.${String(c).padStart(2, '0').replace(/0$/, '')}`));
export function msText(ms: number): string {
  const r = Math.round(ms * 100);
  if (!(r >= 0 && r < 1e15)) return String(r / 100);
  const whole = Math.floor(r / 100);
  return whole + CENTS[r - whole * 100]!;
}

const TAIL = ',"msg":"request"}\n';

export class AccessLog {
  private pending = '';
  private scheduled = false;
  private lastMs = -1;
  private lastMethod: string | undefined;
  private lastUrl: string | undefined;
  private lastStatus = -1;
  /** The line up to `"ms":` for the last millisecond, route and status. */
  private head = '';
  private readonly prefix: string;
  private fd: number | undefined;
  private readonly flushNow = (): void => this.flush();

  /**
   * `bindings` are the logger's base fields as pino serialises them after `time` (its
   * `chindings`, e.g. `,"pid":123`; `logger.bindings()` leaves out pid and hostname).
   */
  constructor(
    private readonly sink: LogSink,
    bindings = '',
    fd?: number,
  ) {
    this.prefix = bindings;
    this.fd = fd;
  }

  /** Queues the line of one answered request; `ms` is its handling time. */
  request(method: string, url: string, status: number, ms: number): void {
    // Under load tens of requests share one millisecond, route and status: everything before
    // `"ms":` is one cached string, formatted (the ISO time included) only when one of them changes.
    const now = Date.now();
    if (now !== this.lastMs || status !== this.lastStatus || method !== this.lastMethod || url !== this.lastUrl) {
      this.lastMs = now;
      this.lastStatus = status;
      this.lastMethod = method;
      this.lastUrl = url;
      this.head = `{"level":${INFO},"time":"${new Date(now).toISOString()}"${this.prefix},"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"status":${status},"ms":`;
    }
    this.pending += this.head + msText(ms) + TAIL;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Writes the queued lines now (also called before the server reports that it stopped). */
  flush(): void {
    this.scheduled = false;
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    if (this.fd === undefined) {
      this.sink.write(chunk);
      return;
    }
    // A file (`fd`): one `write` call in this thread. Through the destination, each turn's chunk
    // went to libuv's thread pool and back (a thread wake-up and a callback per turn):
    // 1-1.5 us of CPU per request more under wrk.
    let written = 0;
    try {
      written = writeSync(this.fd, chunk);
      if (written === Buffer.byteLength(chunk)) return;
    } catch {
      // e.g. ENOSPC: the destination takes over below (and reports its own errors).
    }
    // Short or failed: the rest, and every later chunk, goes through the destination.
    this.fd = undefined;
    this.sink.write(Buffer.from(chunk).subarray(written).toString());
  }
}
