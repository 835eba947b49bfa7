import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LocalOdb } from '../../../src/core/odb/local.js';
import { tempDir } from '../../helpers/tree.js';

// The root cause of the flaky "retries a download cut off mid-body" transfer test (issue #12 item 3):
// a stream that fails before the temp file's asynchronous open completed left that file behind,
// because the cleanup ran first. The source here fails after `chunks` chunks, on the next tick.
describe('LocalOdb.addStream with a source cut off early', () => {
  it.each([0, 1, 2, 8])('leaves no temp file when the source fails after %i chunks', async (chunks) => {
    const odb = new LocalOdb(tempDir());
    let sent = 0;
    const cut = new Readable({
      read() {
        if (sent++ < chunks) this.push(Buffer.alloc(65536, 1));
        else process.nextTick(() => this.destroy(new Error('connection reset')));
      },
    });
    await expect(odb.addStream(cut, 'acbd18db4cc2f85cedef654fccc4a4d8')).rejects.toThrow('connection reset');
    // Give a late open (the old bug) the time to land before looking.
    await new Promise((r) => setTimeout(r, 100));
    expect(odb.listTmp()).toEqual([]);
    expect(odb.list()).toEqual([]);
  });
});
