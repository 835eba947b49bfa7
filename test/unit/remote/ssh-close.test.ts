import { afterAll, expect, it } from 'vitest';
import { describeIf } from '../../helpers/require.js';
import { FOO } from './fixtures.js';
import { HAS_SSHD, cloudRemote, openTestStore, stopServers } from './servers.js';

// A download's read stream closes its SFTP handle after the last byte, on its own. Closing the store
// right after reading (what every fetch does at its end) used to fail that pending close with "No
// response from server", emitted on a stream nobody listened to any more: an uncaught exception
// (seen as an unhandled error in the kill -9 fault test).
describeIf(HAS_SSHD, "Debian's openssh-server (/usr/sbin/sshd)", 'SSH remote: closing right after a download', () => {
  afterAll(stopServers);

  it('reads every byte and closes the session without an uncaught error', async () => {
    const remote = await cloudRemote('ssh', `close-${process.pid}`);
    await remote.put(`files/md5/${FOO.slice(0, 2)}/${FOO.slice(2)}`, Buffer.from('foo'));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      for (let round = 0; round < 5; round++) {
        const store = openTestStore('ssh', remote.url);
        const chunks: Buffer[] = [];
        for await (const chunk of await store.download(FOO)) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).toString()).toBe('foo');
        await store.close();
      }
      // The failed handle close, if any, arrives once the socket has closed.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught.map((e) => String(e))).toEqual([]);
  });
});
