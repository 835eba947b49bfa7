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
 * the turn that answered it.
 */

/** Where lines go: pino's destination (sonic-boom), shared with the server's other log lines. */
export interface LogSink {
  write(chunk: string): unknown;
}

/** pino's numeric level for `info`. */
const INFO = 30;

export class AccessLog {
  private pending = '';
  private scheduled = false;
  private lastMs = -1;
  private lastIso = '';
  private lastMethod: string | undefined;
  private lastUrl: string | undefined;
  private lastRoute = '';
  private readonly prefix: string;
  private readonly flushNow = (): void => this.flush();

  /**
   * `bindings` are the logger's base fields as pino serialises them after `time` (its
   * `chindings`, e.g. `,"pid":123`; `logger.bindings()` leaves out pid and hostname).
   */
  constructor(
    private readonly sink: LogSink,
    bindings = '',
  ) {
    this.prefix = bindings;
  }

  /** Queues the line of one answered request; `ms` is its handling time. */
  request(method: string, url: string, status: number, ms: number): void {
    // Clients repeat one route: its `"method":..,"url":..` text is kept from the last line.
    if (method !== this.lastMethod || url !== this.lastUrl) {
      this.lastMethod = method;
      this.lastUrl = url;
      this.lastRoute = `,"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"status":`;
    }
    this.pending += `{"level":${INFO},"time":"${this.isoNow()}"${this.prefix}${this.lastRoute}${status},"ms":${Math.round(ms * 100) / 100},"msg":"request"}\n`;
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
    this.sink.write(chunk);
  }

  private isoNow(): string {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    return this.lastIso;
  }
}
