import { constants, chmodSync, copyFileSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { MlpipeError, isErrnoException } from '../../errors.js';
import { ownerTag, sweepStaleTmp } from '../fs/stale-tmp.js';
import { hashOne } from '../hash/pool.js';
import type { LinkType, Repo } from './open.js';
import { stampOf } from './scan.js';
import type { FileStamp } from './state.js';

/**
 * Materialises a cache object at a workspace path using the link types of `cache.type` in order
 * (§2.3): a type failing with EPERM/ENOTSUP/EXDEV/... is dropped for the rest of the process and the
 * next one is tried. The result is written under a temp name and renamed over the destination, so
 * the destination is never half-written. The temp file lives in `.dvc/tmp/checkout/` (git never sees
 * it, and a killed checkout's leftovers are swept by the next one, see tempFor) unless that folder is
 * on another filesystem than the destination, where a rename cannot reach. Every object is verified
 * once: `copy` of an object not yet verified hashes while copying and refuses (E_CORRUPT) bytes that
 * do not match the name; the other types share the object's inode or extent, so the object is
 * hashed before linking; an object already verified (just fetched or added) is linked or
 * kernel-copied (copy_file_range, or a clone where the filesystem can) without a read.
 */
const LINK_ERRORS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOTTY', 'ENOSYS', 'EINVAL', 'EAGAIN', 'EMLINK']);
const unusable = new Set<LinkType>();

export interface MaterializeOptions {
  /**
   * The object's bytes are known good: the caller hashed them moments ago (an add, or a pull that
   * verified each object as it fetched it), so the object is kernel-copied or linked without being
   * read again.
   */
  verified?: boolean;
  /** Folders known to exist: a checkout of many files makes each parent folder once. */
  madeDirs?: Set<string>;
}

export async function materialize(repo: Repo, oid: string, legacy: boolean, dest: string, options: MaterializeOptions = {}): Promise<FileStamp> {
  const obj = repo.cache.path(oid, legacy);
  const destDir = dirname(dest);
  if (!options.madeDirs?.has(destDir)) {
    mkdirSync(destDir, { recursive: true });
    options.madeDirs?.add(destDir);
  }
  const tmp = tempFor(repo, dest);
  let verified = options.verified ?? false;
  let placed = false;
  try {
    for (const type of repo.linkTypes) {
      if (unusable.has(type)) continue;
      if ((type !== 'copy' || legacy) && !verified) {
        if (!(await repo.cache.verify(oid, legacy))) throw corruptObject(oid, obj);
        verified = true;
      }
      try {
        place(type, obj, tmp, oid, verified);
      } catch (err) {
        rmSync(tmp, { force: true });
        if (isErrnoException(err) && LINK_ERRORS.has(err.code!) && type !== 'copy') {
          unusable.add(type);
          continue;
        }
        throw err;
      }
      renameSync(tmp, dest);
      placed = true;
      return stampOf(statSync(dest));
    }
    throw new MlpipeError('E_BAD_INPUT', 'no link type in cache.type works on this filesystem', {
      expected: 'one of reflink, hardlink, symlink, copy to succeed',
      received: repo.linkTypes.join(', '),
      hint: 'add `copy` to `type` under [cache] in .dvc/config',
    });
  } finally {
    if (!placed) rmSync(tmp, { force: true });
  }
}

const TMP_SUFFIX = '.mlpipe.tmp';
const sameDevice = new Map<string, boolean>();
const swept = new Set<string>();
let tmpPrefix: string | undefined;
let tmpCount = 0;

/** A temp name for `dest`: in `.dvc/tmp/checkout/` when the rename can reach `dest` from there. */
export function tempFor(repo: Repo, dest: string): string {
  const dir = join(repo.dvcDir, 'tmp', 'checkout');
  if (!swept.has(dir)) {
    mkdirSync(dir, { recursive: true });
    sweepStaleTmp(dir, (n) => n.endsWith(TMP_SUFFIX));
    swept.add(dir);
  }
  const destDir = dirname(dest);
  const key = `${dir}\0${destDir}`;
  let same = sameDevice.get(key);
  if (same === undefined) {
    same = statSync(dir).dev === statSync(destDir).dev;
    sameDevice.set(key, same);
  }
  // One random draw per process and a counter: a random draw per file showed in profiles of a pull.
  tmpPrefix ??= `${ownerTag()}.${randomBytes(6).toString('hex')}`;
  const unique = `${tmpPrefix}-${tmpCount++}`;
  return same ? `${dir}/${unique}${TMP_SUFFIX}` : join(destDir, `.${basename(dest).slice(0, 40)}.${unique}${TMP_SUFFIX}`);
}

/**
 * Removes temp files that an interrupted checkout (before temps moved to `.dvc/tmp/checkout/`, or on
 * a filesystem apart from `.dvc/`) left next to a file output: `.<name>.<...>.mlpipe.tmp`. Called
 * under the repo lock, so no checkout of this workspace is writing them.
 */
export function removeSiblingTemps(dest: string): void {
  const prefix = `.${basename(dest).slice(0, 40)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(dest));
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix) && n.endsWith(TMP_SUFFIX)) rmSync(join(dirname(dest), n), { force: true });
}

/** Workspace files get the mode a new file gets (DVC's 0o666 & ~umask); umask is read once. */
let workspaceMode: number | undefined;
export function fileMode(): number {
  workspaceMode ??= 0o666 & ~process.umask();
  return workspaceMode;
}

function place(type: LinkType, obj: string, tmp: string, oid: string, verified: boolean): void {
  switch (type) {
    case 'reflink':
      copyFileSync(obj, tmp, constants.COPYFILE_FICLONE_FORCE);
      chmodSync(tmp, fileMode());
      return;
    case 'hardlink':
      // DVC creates empty files fresh instead of linking them (link-count limits; §2.3).
      if (statSync(obj).size === 0) writeFileSync(tmp, '');
      else linkSync(obj, tmp);
      return;
    case 'symlink':
      symlinkSync(obj, tmp);
      return;
    case 'copy': {
      if (verified) {
        // Known-good bytes: a kernel copy (a clone where the filesystem can), no read into memory.
        copyFileSync(obj, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      } else {
        const { md5 } = hashOne({ path: obj, tmp });
        if (md5 !== oid) throw corruptObject(oid, obj);
      }
      chmodSync(tmp, fileMode());
      return;
    }
  }
}

export function corruptObject(oid: string, path: string): MlpipeError {
  return new MlpipeError('E_CORRUPT', `cache object ${oid} is corrupted: its content does not match its name`, {
    expected: `content hashing to ${oid}`,
    received: `different bytes in ${path}`,
    hint: 'run `mlpipe fsck --repair` to remove damaged objects, then `mlpipe pull` or re-add the data',
    data: { oid, path },
  });
}
