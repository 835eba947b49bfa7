/**
 * The access log: one JSON line per request, in the shape pino gives the server's other log lines
 * (`{"level":30,"time":"<ISO>",<bindings>,"method",...,"msg":"request"}`), built by hand and written
 * once per event-loop turn.
 *
 * Why not `logger.info(...)` per request: a `--cpu-prof` of 1-row requests under wrk put pino's
 * per-line work (serialising, the ISO time, one write call per line) at 15-20% of the main thread.
 * Here a line is a few byte copies into one buffer per turn (cached head, digits, tail); the ISO
 * time is formatted at most once per millisecond; and the lines of every request answered in one
 * turn go to the destination in a single `write`, so under load one write carries tens of lines,
 * while an idle server still logs each request within the turn that answered it. When the
 * destination is a regular file, that write is a `writeSync` to its descriptor (see `flush`).
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
 * Writes `ms` into `buf` at `at` as `String(Math.round(ms * 100) / 100)` prints it, without printing
 * a double; returns the offset after it. Whole milliseconds as digits, then at most two decimals
 * without a trailing zero: `r / 100` for a whole `r` below 1e15 is the double nearest a decimal of
 * at most 15 digits, which is exactly what the shortest round-trip printing of `Number#toString`
 * gives back. Others (NaN, huge values) go through `String`.
 */
export function writeMs(buf: Buffer, at: number, ms: number): number {
  const r = Math.round(ms * 100);
  if (!(r >= 0 && r < 1e15)) return at + buf.write(String(r / 100), at, 'latin1');
  let whole = Math.floor(r / 100);
  const cents = r - whole * 100;
  let digits = 1;
  for (let w = whole; w >= 10; w = Math.floor(w / 10)) digits++;
  let i = at + digits;
  do {
    const q = Math.floor(whole / 10);
    buf[--i] = 0x30 + whole - q * 10;
    whole = q;
  } while (whole > 0);
  i = at + digits;
  if (cents !== 0) {
    const tenths = Math.floor(cents / 10);
    buf[i++] = 0x2e; // .
    buf[i++] = 0x30 + tenths;
    if (cents !== tenths * 10) buf[i++] = 0x30 + cents - tenths * 10;
  }
  return i;
}

const TAIL = Buffer.from(',"msg":"request"}\n');
/** Room a line needs after its head: `ms` (at most 25 characters as `String` prints a double) and the tail. */
const ROOM = 32 + TAIL.length;
/** The lines of one turn gather in a buffer of this size; a turn that fills it writes it out early. */
const CHUNK = 64 * 1024;

export class AccessLog {
  /** This turn's lines, as bytes: `len` of them are pending. */
  private buf = Buffer.allocUnsafe(CHUNK);
  private len = 0;
  private scheduled = false;
  private lastMs = -1;
  private lastMethod: string | undefined;
  private lastUrl: string | undefined;
  private lastStatus = -1;
  /** The bytes of the line up to `"ms":` for the last millisecond, route and status. */
  private head = Buffer.alloc(0);
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

  /**
   * Queues the line of one answered request; `ms` is its handling time. The line is copied as bytes
   * into the turn's buffer (cached head, digits, tail): building it as a string cost a
   * concatenation per line, then flattening and UTF-8 encoding the turn's string for the write.
   */
  request(method: string, url: string, status: number, ms: number): void {
    // Under load tens of requests share one millisecond, route and status: everything before
    // `"ms":` is one cached text, formatted (the ISO time included) only when one of them changes.
    const now = Date.now();
    if (now !== this.lastMs || status !== this.lastStatus || method !== this.lastMethod || url !== this.lastUrl) {
      this.lastMs = now;
      this.lastStatus = status;
      this.lastMethod = method;
      this.lastUrl = url;
      this.head = Buffer.from(`{"level":${INFO},"time":"${new Date(now).toISOString()}"${this.prefix},"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"status":${status},"ms":`);
    }
    const head = this.head;
    if (this.len + head.length + ROOM > this.buf.length) this.makeRoom(head.length + ROOM);
    const buf = this.buf;
    buf.set(head, this.len);
    const end = writeMs(buf, this.len + head.length, ms);
    buf.set(TAIL, end);
    this.len = end + TAIL.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Writes out the pending lines, and grows the buffer for a line longer than it (a huge URL). */
  private makeRoom(bytes: number): void {
    this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  /** Writes the queued lines now (also called before the server reports that it stopped). */
  flush(): void {
    this.scheduled = false;
    const len = this.len;
    if (len === 0) return;
    this.len = 0;
    if (this.fd === undefined) {
      this.sink.write(this.buf.toString('utf8', 0, len));
      return;
    }
    // A file (`fd`): one `write` call in this thread. Through the destination, each turn's chunk
    // went to libuv's thread pool and back (a thread wake-up and a callback per turn):
    // 1-1.5 us of CPU per request more under wrk.
    let written = 0;
    try {
      written = writeSync(this.fd, this.buf, 0, len);
      if (written === len) return;
    } catch {
      // e.g. ENOSPC: the destination takes over below (and reports its own errors).
    }
    // Short or failed: the rest, and every later chunk, goes through the destination.
    this.fd = undefined;
    this.sink.write(this.buf.toString('utf8', written, len));
  }
}
