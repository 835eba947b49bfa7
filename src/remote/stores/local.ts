import { copyFile, mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { objectRelPath } from '../../core/odb/layout.js';
import { LocalOdb } from '../../core/odb/local.js';
import { isErrnoException } from '../../errors.js';
import { remoteError } from '../errors.js';
import { forEachLimit } from '../pool.js';
import { copyVerified } from '../verify.js';
import type { ObjectStore, RunStore } from './types.js';

/**
 * A remote that is a folder (local disk, NFS, a mounted drive). It is the same kind of object
 * database as the cache (dvc-format.md §4.2), so it is the core's LocalOdb: an object is copied to
 * a `.tmp` file, made read-only (0o444) and renamed into place, and a reader never sees half of one.
 */
export class LocalStore implements ObjectStore {
  readonly maxObjectBytes = undefined;
  readonly defaultJobs = 8;
  private readonly odb: LocalOdb;

  constructor(
    readonly root: string,
    readonly location: string = root,
  ) {
    this.odb = new LocalOdb(root);
  }

  localPath(oid: string): string {
    return this.odb.path(oid);
  }

  /** Reads only the `XX/` folders the oids fall in: one readdir per prefix instead of one stat per oid. */
  async exists(oids: readonly string[]): Promise<Set<string>> {
    const byPrefix = new Map<string, string[]>();
    for (const oid of oids) {
      const prefix = oid.slice(0, 2);
      const group = byPrefix.get(prefix);
      if (group) group.push(oid);
      else byPrefix.set(prefix, [oid]);
    }
    const found = new Set<string>();
    await forEachLimit([...byPrefix], 16, async ([prefix, group]) => {
      const names = new Set(await this.readPrefix(prefix));
      for (const oid of group) if (names.has(oid.slice(2))) found.add(oid);
    });
    return found;
  }

  async list(): Promise<Set<string>> {
    const base = join(this.root, 'files', 'md5');
    const prefixes = (await readdirOrEmpty(base)).filter((p) => /^[0-9a-f]{2}$/.test(p));
    const found = new Set<string>();
    await forEachLimit(prefixes, 16, async (prefix) => {
      for (const name of await this.readPrefix(prefix)) found.add(prefix + name);
    });
    return found;
  }

  private async readPrefix(prefix: string): Promise<string[]> {
    const names = await readdirOrEmpty(join(this.root, 'files', 'md5', prefix));
    return names.filter((n) => !n.endsWith('.tmp')); // a writer's temp file is not an object
  }

  async upload(oid: string, sourcePath: string): Promise<void> {
    let tmp: string | undefined;
    try {
      tmp = this.odb.tmpPath();
      // Hash while copying: a corrupt cache object never lands on a remote others pull from.
      copyVerified(sourcePath, tmp, oid);
      this.odb.adopt(tmp, oid);
    } catch (err) {
      if (tmp) await rm(tmp, { force: true });
      if (isErrnoException(err, 'EACCES') || isErrnoException(err, 'EROFS')) {
        throw remoteError('E_REMOTE_AUTH', this.location, `no permission to write ${objectRelPath(oid)}`, {
          hint: 'check the folder permissions of the remote',
          cause: err,
        });
      }
      if (isErrnoException(err, 'ENOSPC') || isErrnoException(err, 'EDQUOT')) {
        throw remoteError('E_REMOTE_TOO_LARGE', this.location, 'the disk of the remote is full (or over quota)', {
          hint: 'free space on the remote disk, or push to another remote with `-r NAME`',
          cause: err,
        });
      }
      throw err;
    }
  }

  async download(oid: string): Promise<Readable> {
    try {
      const handle = await open(this.localPath(oid), 'r');
      return handle.createReadStream();
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) {
        throw remoteError('E_NOT_FOUND', this.location, `object ${oid} is not on the remote`, {
          hint: 'push it from a clone that has it (`mlpipe push`)',
        });
      }
      throw err;
    }
  }

  async commit(): Promise<void> {}

  async close(): Promise<void> {}

  /** `runs/` beside `files/`, entries written to a temp name and renamed (mode 644, as DVC's). */
  readonly runs: RunStore = {
    list: async () => {
      const base = join(this.root, 'runs');
      const out: string[] = [];
      for (const prefix of await readdirOrEmpty(base)) {
        for (const key of await readdirOrEmpty(join(base, prefix))) {
          for (const value of await readdirOrEmpty(join(base, prefix, key))) {
            if (!value.endsWith('.tmp')) out.push(`${prefix}/${key}/${value}`);
          }
        }
      }
      return out;
    },
    upload: async (rel, sourcePath) => {
      const dest = join(this.root, 'runs', rel);
      await mkdir(dirname(dest), { recursive: true });
      const tmp = `${dest}.${process.pid}.tmp`;
      try {
        await copyFile(sourcePath, tmp);
        await rename(tmp, dest);
      } finally {
        await rm(tmp, { force: true });
      }
    },
    read: (rel) => readFile(join(this.root, 'runs', rel)),
  };
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ENOTDIR')) return [];
    throw err;
  }
}
