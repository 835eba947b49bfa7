import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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

  /**
   * A matcher for paths inside the folder `dir` (repo path) that consults only the `.dvcignore` files
   * of `dir` and its ancestors; undefined when there are none, so callers skip the checks entirely.
   */
  forTree(dir: string): ((rel: string, isDir: boolean) => boolean) | undefined {
    const parts = dir.split('/');
    const any = parts.some((_, i) => this.matcher(parts.slice(0, i).join('/')) !== null) || this.matcher(dir) !== null;
    return any ? (rel, isDir) => this.ignores(rel, isDir) : undefined;
  }

  /** The patterns of `dir/.dvcignore` (repo-relative folder, '' for the root), or null. */
  matcher(dir: string): Ignore | null {
    let m = this.byDir.get(dir);
    if (m !== undefined) return m;
    m = null;
    try {
      const text = readFileSync(join(this.root, dir, '.dvcignore'), 'utf8');
      // The file `init` writes holds only comments: no matcher, so walks skip the checks entirely.
      if (/^\s*[^#\s]/m.test(text)) {
        const ignore = require('ignore') as () => Ignore;
        m = ignore().add(text);
      }
    } catch {
      m = null;
    }
    this.byDir.set(dir, m);
    return m;
  }
}
