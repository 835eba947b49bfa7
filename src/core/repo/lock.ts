import { closeSync, mkdirSync, openSync, ftruncateSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { MlpipeError } from '../../errors.js';

/**
 * The repo-wide lock `.dvc/tmp/lock` (../shared/docs/dvc-format.md §6.1): a real
 * `flock(LOCK_EX | LOCK_NB)`, so mlpipe and DVC exclude each other. The file is kept after release
 * (its existence means nothing; only the OS lock counts) and holds " <pid>\n" like zc.lockfile.
 * Re-entrant within a process. A crashed holder releases the lock automatically (the OS drops it).
 */
const require = createRequire(import.meta.url);

export class RepoLock {
  private fd: number | undefined;
  private depth = 0;

  constructor(readonly path: string) {}

  acquire(): void {
    if (this.depth++ > 0) return;
    const { flockSync } = require('fs-ext') as { flockSync(fd: number, flags: string): void };
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a+');
    try {
      flockSync(fd, 'exnb');
    } catch (err) {
      closeSync(fd);
      this.depth = 0;
      throw new MlpipeError('E_LOCKED', 'the repository is locked by another process', {
        expected: `no other mlpipe or dvc process working in this repository (lock ${this.path})`,
        received: `the lock is held (${(err as NodeJS.ErrnoException).code ?? 'EWOULDBLOCK'})`,
        hint: 'wait for the other command to finish, then run this one again',
        cause: err,
      });
    }
    ftruncateSync(fd, 0);
    writeSync(fd, ` ${process.pid}\n`);
    this.fd = fd;
  }

  release(): void {
    if (this.depth === 0 || --this.depth > 0) return;
    if (this.fd !== undefined) closeSync(this.fd); // closing drops the flock
    this.fd = undefined;
  }

  async with<T>(fn: () => Promise<T> | T): Promise<T> {
    this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
