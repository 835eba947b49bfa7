import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Ignore } from 'ignore';

/**
 * `.dvcignore` (../shared/docs/dvc-format.md §3.6): gitignore syntax, one file per folder, each
 * applying below its folder. `.git`, `.hg` and `.dvc` are always ignored. Files are read lazily and
 * cached per folder.
 */
const require = createRequire(import.meta.url);
const ALWAYS = new Set(['.git', '.hg', '.dvc']);

export class DvcIgnore {
  private readonly byDir = new Map<string, Ignore | null>();

  constructor(private readonly root: string) {}

  /** `rel`: repo-relative POSIX path. */
  ignores(rel: string, isDir: boolean): boolean {
    const parts = rel.split('/');
    if (parts.some((p) => ALWAYS.has(p))) return true;
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const matcher = this.matcher(dir);
      if (!matcher) continue;
      const sub = parts.slice(i).join('/');
      if (matcher.ignores(isDir ? `${sub}/` : sub)) return true;
    }
    return false;
  }

  /** True if any `.dvcignore` exists for `dir` (callers skip the per-entry checks otherwise). */
  matcher(dir: string): Ignore | null {
    let m = this.byDir.get(dir);
    if (m !== undefined) return m;
    m = null;
    try {
      const text = readFileSync(join(this.root, dir, '.dvcignore'), 'utf8');
      const ignore = require('ignore') as () => Ignore;
      m = ignore().add(text);
    } catch {
      m = null;
    }
    this.byDir.set(dir, m);
    return m;
  }
}

export function parentDir(rel: string): string {
  const d = dirname(rel);
  return d === '.' ? '' : d;
}
