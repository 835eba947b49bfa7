import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, symbols } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessLog, fileFd, writeMs } from '../../../src/serve/access-log.js';

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

  it('prints ms as String(Math.round(ms * 100) / 100) does', () => {
    const values = [0, -0, 0.001, 0.004999, 0.005, 0.015, 0.1, 0.125, 1.005, 1.2345, 2.675, 9.995, 10, 99.99, 100.1, 1234.5678, 86_400_000.12, 1e13 - 0.001, 1e13, 1e20, -1.5, Number.NaN, Infinity];
    for (let i = 0; i < 20_000; i++) values.push(Math.random() * 10 ** ((i % 12) - 3));
    const buf = Buffer.alloc(64, 0x78);
    const msText = (ms: number) => buf.toString('latin1', 3, writeMs(buf, 3, ms));
    for (const ms of values) expect(msText(ms)).toBe(String(Math.round(ms * 100) / 100));
    expect([msText(0.3), msText(1.05), msText(12), msText(0.07), msText(100), msText(0.5)]).toEqual(['0.3', '1.05', '12', '0.07', '100', '0.5']);
    expect(buf.toString('latin1', 0, 3)).toBe('xxx');
  });

  it('keeps every line of a turn larger than its buffer, and a line longer than the buffer', () => {
    const { chunks, sink } = capture();
    const log = new AccessLog(sink);
    const long = `/${'a'.repeat(100_000)}`;
    for (let i = 0; i < 1000; i++) log.request('POST', `/invocations?i=${i}`, 200, i / 100);
    log.request('GET', long, 404, 1);
    log.request('GET', '/caf\u00e9', 200, 2);
    log.flush();
    const lines = chunks.join('').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(chunks.length).toBeGreaterThan(2);
    expect(lines).toHaveLength(1002);
    expect(lines.slice(0, 1000).map((l) => [l.url, l.ms])).toEqual(Array.from({ length: 1000 }, (_, i) => [`/invocations?i=${i}`, i / 100]));
    expect([lines[1000].url, lines[1001].url]).toEqual([long, '/caf\u00e9']);
  });

  describe('with a file descriptor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpipe-access-log-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('writes each turn\'s lines to the file itself, in order, and nothing through the sink', () => {
      const path = join(dir, 'log.jsonl');
      writeFileSync(path, '{"msg":"listening"}\n');
      const fd = openSync(path, 'a');
      try {
        const { chunks, sink } = capture();
        expect(fileFd({ write: sink.write, fd })).toBe(fd);
        const log = new AccessLog(sink, ',"pid":7', fd);
        log.request('POST', '/invocations', 200, 0.5);
        log.request('GET', '/caf\u00e9', 404, 12.344);
        log.flush();
        log.request('GET', '/ping', 200, 0);
        log.flush();
        expect(chunks).toEqual([]);
        const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
        expect(lines.map((l) => [l.msg, l.pid, l.method, l.url, l.status, l.ms])).toEqual([
          ['listening', undefined, undefined, undefined, undefined, undefined],
          ['request', 7, 'POST', '/invocations', 200, 0.5],
          ['request', 7, 'GET', '/caf\u00e9', 404, 12.34],
          ['request', 7, 'GET', '/ping', 200, 0],
        ]);
      } finally {
        closeSync(fd);
      }
    });

    it('hands a chunk it could not write to the sink, and the later ones too', () => {
      const path = join(dir, 'read-only.jsonl');
      writeFileSync(path, '');
      const fd = openSync(path, 'r'); // a write fails with EBADF
      try {
        const { chunks, sink } = capture();
        const log = new AccessLog(sink, '', fd);
        log.request('GET', '/ping', 200, 1);
        log.flush();
        log.request('GET', '/health', 200, 2);
        log.flush();
        expect(chunks.map((c) => [JSON.parse(c).url, JSON.parse(c).ms])).toEqual([
          ['/ping', 1],
          ['/health', 2],
        ]);
        expect(readFileSync(path, 'utf8')).toBe('');
      } finally {
        closeSync(fd);
      }
    });

    it('is used only for a regular file', () => {
      const { sink } = capture();
      expect(fileFd(sink)).toBeUndefined();
      expect(fileFd({ write: sink.write, fd: -1 })).toBeUndefined();
      const fd = openSync('/dev/null', 'w');
      try {
        expect(fileFd({ write: sink.write, fd })).toBeUndefined();
      } finally {
        closeSync(fd);
      }
    });
  });
});
