import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary folder per test run, removed when the run ends. Tests (and the CLIs, git and
 * servers they start, which inherit TMPDIR) make their folders with `tmpdir()`, and many leave
 * them behind: repositories, caches, remotes, a workflow run's checkouts (~0.9 GB each). Without
 * this a full run left several GB in the system's temporary folder every time, and over a day of
 * runs that filled the disk (Ceph's monitor refuses to start below 5% free).
 * `MLPIPE_KEEP_TEST_TMP=1` keeps the folder and prints where it is, to look at after a failure.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'mlpipe-tests-'));
  // Like /tmp (1777), not mkdtemp's 0700: permission tests run the CLI as `nobody`, which must reach
  // the folders a test hands it, and may make its own temporary files here as it would in /tmp.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (process.env.MLPIPE_KEEP_TEST_TMP === '1') {
      console.log(`test files kept in ${root}`);
      return;
    }
    removeTree(root);
  };
}

/** rm -rf, also of folders a test made read-only (which stop a user who is not root). */
function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
    return;
  } catch {
    makeWritable(dir);
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function makeWritable(dir: string): void {
  try {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // Never through a symlink: a test's link may point anywhere.
      if (entry.isDirectory() && !lstatSync(join(dir, entry.name)).isSymbolicLink()) makeWritable(join(dir, entry.name));
    }
  } catch {
    // What cannot be made writable is left to rmSync's error.
  }
}
