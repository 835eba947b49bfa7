import { Writable } from 'node:stream';
import { pino, symbols } from 'pino';
import { describe, expect, it } from 'vitest';
import { AccessLog } from '../../../src/serve/access-log.js';

// The access log writes pino's line by hand: the same bytes pino would write (bar the time), and
// the lines of one event-loop turn in one write.

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function capture(): { chunks: string[]; sink: { write(chunk: string): void } } {
  const chunks: string[] = [];
  return { chunks, sink: { write: (chunk: string) => chunks.push(chunk) } };
}

describe('AccessLog', () => {
  it("writes pino's own line for a request", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ base: { pid: 4242 }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
    logger.info({ method: 'POST', url: '/invocations?x="1"', status: 200, ms: 1.23 }, 'request');
    const bindings = (logger as unknown as Record<symbol, string>)[symbols.chindingsSym];
    const { chunks, sink } = capture();
    new AccessLog(sink, bindings).request('POST', '/invocations?x="1"', 200, 1.2345);
    await nextTurn();
    const mask = (line: string) => line.replace(/"time":"[^"]+"/, '"time":"T"');
    expect(chunks).toHaveLength(1);
    expect(mask(chunks[0]!)).toBe(mask(lines[0]!));
    expect(mask(chunks[0]!)).toBe('{"level":30,"time":"T","pid":4242,"method":"POST","url":"/invocations?x=\\"1\\"","status":200,"ms":1.23,"msg":"request"}\n');
    expect(JSON.parse(chunks[0]!).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes the lines of one turn at once, at the end of the turn or on flush', async () => {
    const { chunks, sink } = capture();
    const log = new AccessLog(sink);
    log.request('GET', '/ping', 200, 0.1);
    log.request('POST', '/invocations', 400, 0.456);
    expect(chunks).toEqual([]);
    await nextTurn();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.split('\n').map((l) => (l ? [JSON.parse(l).url, JSON.parse(l).status, JSON.parse(l).ms] : l))).toEqual([
      ['/ping', 200, 0.1],
      ['/invocations', 400, 0.46],
      '',
    ]);
    log.request('GET', '/health', 200, 0);
    log.flush();
    expect(chunks).toHaveLength(2);
    expect(JSON.parse(chunks[1]!).url).toBe('/health');
    await nextTurn();
    // Nothing left: the scheduled write finds no line.
    expect(chunks).toHaveLength(2);
  });

  it('names each line\'s own method and URL when requests alternate between routes', () => {
    const { chunks, sink } = capture();
    const log = new AccessLog(sink);
    const sent: [string, string][] = [['', ''], ['POST', '/invocations'], ['POST', '/invocations'], ['GET', '/invocations'], ['GET', '/ping'], ['POST', '/invocations'], ['', '']];
    for (const [method, url] of sent) log.request(method, url, 200, 1);
    log.flush();
    expect(chunks[0]!.trimEnd().split('\n').map((l) => [JSON.parse(l).method, JSON.parse(l).url])).toEqual(sent);
  });
});
