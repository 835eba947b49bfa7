import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlpipeError, isErrnoException } from '../../errors.js';
import { md5Dos2unixFile } from '../hash/dos2unix.js';
import { type ManifestEntry, parseDirManifest } from '../hash/manifest.js';
import { hashOne } from '../hash/pool.js';
import { listStaleTmp, ownerTag, sweepStaleTmp } from '../fs/stale-tmp.js';
import { isOid, objectRelPath } from './layout.js';

/**
 * A content-addressed object store in a local folder: the repo cache, or a local remote
 * (../shared/docs/dvc-format.md §2.1-2.2). Objects appear only complete and verified: bytes go to a
 * `.<random>.tmp` file, are hashed on the way, and are renamed to their final name only when the
 * md5 matches; final objects are read-only (0o444), which DVC treats as "trusted". Paths come from
 * layout.ts, the only authority on where an object lives.
 */
export interface ObjectRef {
  oid: string;
  /** Legacy (DVC 2.x, md5-dos2unix) objects live at the root instead of files/md5 (§2.1). */
  legacy: boolean;
}

const ANY_OID = '0'.repeat(32);

export class LocalOdb {
  private readonly dirs = new Set<string>();
  // The owner tag lets the next run tell a killed writer's temp files from a live one's (stale-tmp.ts).
  private readonly tmpPrefix = `${ownerTag()}.${randomBytes(6).toString('hex')}`;
  private tmpCount = 0;
  private tmpDir: string | undefined;

  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  path(oid: string, legacy = false): string {
    // Plain concatenation (root is absolute and normalised): this runs for every object of a status.
    return `${this.root}/${objectRelPath(oid, legacy)}`;
  }

  has(oid: string, legacy = false): boolean {
    // existsSync skips building a Stats object: this runs once per file of every tracked directory.
    return existsSync(this.path(oid, legacy));
  }

  /**
   * The oids that are not stored. For many oids (a large directory) it lists the few hundred prefix
   * folders once instead of probing every object: far fewer system calls.
   */
  missing(oids: readonly string[], legacy = false): string[] {
    if (oids.length < 1024) return oids.filter((oid) => !this.has(oid, legacy));
    const listings = new Map<string, Set<string>>();
    return oids.filter((oid) => {
      // Split the layout's relative path at its last slash: cheaper than dirname() on 10,000 paths.
      const rel = objectRelPath(oid, legacy);
      const slash = rel.lastIndexOf('/');
      const dir = rel.slice(0, slash);
      let names = listings.get(dir);
      if (!names) {
        try {
          names = new Set(readdirSync(`${this.root}/${dir}`));
        } catch {
          names = new Set();
        }
        listings.set(dir, names);
      }
      return !names.has(rel.slice(slash + 1));
    });
  }

  /**
   * A fresh temp file name in the ODB (in `files/md5/`, same filesystem as every object, so the final
   * rename is atomic). Listing skips `.tmp` names. The first temp file a process makes in an ODB
   * sweeps the stale ones of killed writers there (stale-tmp.ts), so an interrupted add, fetch or
   * push to a folder remote is cleaned up by the next one; gc sweeps too.
   */
  tmpPath(): string {
    if (this.tmpDir === undefined) {
      this.tmpDir = this.base(false);
      this.sweepTmp();
    }
    const dir = this.tmpDir;
    this.ensureDir(dir);
    // A random prefix per process plus a counter: unique without a random draw per file.
    // A template, not join(): join normalises the path, which showed in profiles of a 10,000-file add.
    return `${dir}/.${this.tmpPrefix}-${this.tmpCount++}.tmp`;
  }

  /** The folder holding the two-character prefix folders, derived from layout.ts. */
  private base(legacy: boolean): string {
    return dirname(dirname(this.path(ANY_OID, legacy)));
  }

  private ensureDir(dir: string): void {
    if (this.dirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  /**
   * Moves a complete, verified temp file into place as `oid` (rename is atomic). Temp files are
   * created read-only (0o444, writable only through the descriptor that created them), so the object
   * is never visible with another mode. An existing object is replaced by identical bytes.
   */
  adopt(tmp: string, oid: string, legacy = false): void {
    const final = this.path(oid, legacy);
    this.ensureDir(dirname(final));
    renameSync(tmp, final);
  }

  /** Copies a file in, hashing while copying; the object is named by what was actually read. */
  addFile(src: string, expectedOid?: string): { oid: string; size: number } {
    const tmp = this.tmpPath();
    try {
      const { md5, size } = hashOne({ path: src, tmp });
      if (expectedOid !== undefined && md5 !== expectedOid) throw mismatch(src, expectedOid, md5);
      this.adopt(tmp, md5);
      return { oid: md5, size };
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Stores bytes (a `.dir` manifest or a small file) under `oid` after checking their md5. */
  addBytes(data: string | Uint8Array, oid: string, legacy = false): void {
    if (this.has(oid, legacy)) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const md5 = createHash('md5').update(bytes).digest('hex');
    const actual = oid.endsWith('.dir') ? `${md5}.dir` : md5;
    if (actual !== oid) throw mismatch('the given bytes', oid, actual);
    const tmp = this.tmpPath();
    try {
      const fd = openSync(tmp, 'wx', 0o444);
      try {
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      } finally {
        closeSync(fd);
      }
      this.adopt(tmp, oid, legacy);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /**
   * Stores a stream (a download) under `oid`, visible only if its bytes hash to `oid` (plain md5, or
   * md5-dos2unix for legacy objects). A mismatch throws E_CORRUPT and leaves nothing behind.
   */
  async addStream(stream: Readable, oid: string, legacy = false): Promise<void> {
    const tmp = this.tmpPath();
    try {
      const hash = createHash('md5');
      stream.on('data', (chunk: Buffer) => hash.update(chunk));
      // Opened here, not by the write stream: a stream opens its file asynchronously, so when the
      // source fails early (a download cut off) the open could land after the cleanup below and
      // leave a partial temp file behind (the flaky "cut off mid-body" transfer test).
      const fd = openSync(tmp, 'wx', 0o444);
      await pipeline(stream, createWriteStream(tmp, { fd }));
      const md5 = legacy ? await md5Dos2unixFile(tmp) : hash.digest('hex');
      const actual = oid.endsWith('.dir') ? `${md5}.dir` : md5;
      if (actual !== oid) throw mismatch('the downloaded stream', oid, actual);
      this.adopt(tmp, oid, legacy);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Re-hashes an object; true when its content matches its name. Missing objects throw E_MISSING_CACHE. */
  async verify(oid: string, legacy = false): Promise<boolean> {
    const path = this.path(oid, legacy);
    if (!this.has(oid, legacy)) throw missingObject(oid, path);
    const md5 = legacy && !oid.endsWith('.dir') ? await md5Dos2unixFile(path) : hashOne({ path }).md5;
    return (oid.endsWith('.dir') ? `${md5}.dir` : md5) === oid;
  }

  /** Reads a `.dir` manifest after checking that its bytes match its oid (E_CORRUPT otherwise). */
  readManifest(oid: string, legacy = false): ManifestEntry[] {
    const path = this.path(oid, legacy);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) throw missingObject(oid, path);
      throw err;
    }
    const actual = `${createHash('md5').update(bytes).digest('hex')}.dir`;
    if (actual !== oid) throw mismatch(path, oid, actual);
    return parseDirManifest(bytes.toString('utf8'), `directory manifest ${oid}`);
  }

  remove(oid: string, legacy = false): void {
    rmSync(this.path(oid, legacy), { force: true });
  }

  /** Every object stored (DVC 3 under files/md5, legacy at the root); skips temp files. */
  list(): ObjectRef[] {
    const out: ObjectRef[] = [];
    const scan = (base: string, legacy: boolean) => {
      let prefixes: string[];
      try {
        prefixes = readdirSync(base);
      } catch {
        return;
      }
      for (const prefix of prefixes) {
        if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
        for (const rest of readdirSync(join(base, prefix))) {
          const oid = prefix + rest;
          if (isOid(oid)) out.push({ oid, legacy });
        }
      }
    };
    scan(this.base(false), false);
    scan(this.base(true), true);
    return out;
  }

  /** Every temp file in the ODB, a live writer's included. */
  listTmp(): string[] {
    const dir = this.base(false);
    try {
      return readdirSync(dir)
        .filter(isTmpName)
        .map((n) => join(dir, n));
    } catch {
      return [];
    }
  }

  /** Temp files left by interrupted writers that are no longer running (see stale-tmp.ts). */
  staleTmp(): string[] {
    return listStaleTmp(this.base(false), isTmpName);
  }

  /** Removes the stale temp files; returns their paths. Temp files of live writers are kept. */
  sweepTmp(): string[] {
    return sweepStaleTmp(this.base(false), isTmpName);
  }
}

const isTmpName = (name: string) => name.endsWith('.tmp');

export function missingObject(oid: string, path: string): MlpipeError {
  return new MlpipeError('E_MISSING_CACHE', `object ${oid} is not in the cache`, {
    expected: `a file at ${path}`,
    received: 'nothing',
    hint: 'run `mlpipe pull` to fetch it from a remote, or re-add the data with `mlpipe add`',
    data: { oid },
  });
}

function mismatch(what: string, expected: string, actual: string): MlpipeError {
  return new MlpipeError('E_CORRUPT', `content of ${what} does not match its hash`, {
    expected,
    received: actual,
    hint: 'the object is not stored; run `mlpipe fsck` to check the cache, then `mlpipe pull` or re-add the data',
    data: { expected, actual },
  });
}
