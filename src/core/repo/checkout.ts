import { MlpipeError, isMlpipeError } from '../../errors.js';
import type { ProgressReporter } from '../progress.js';
import { type CheckoutResult, checkoutOutput } from './checkout-output.js';
import { collectWorkspace } from './dvcfiles.js';
import type { Repo } from './open.js';
import { toRepoTargets } from './paths.js';
import { selectDvcFiles } from './status.js';

/**
 * `mlpipe checkout [TARGET...] [--force]`: restores tracked outputs from the cache (§6.3). Each output
 * is all-or-nothing (see checkoutOutput); outputs that fail are reported together at the end with the
 * first failure's code, after the others were restored.
 */
export interface CheckoutOptions {
  /** Relative to `cwd` (default: the repo root). */
  targets?: string[];
  cwd?: string;
  force?: boolean;
  progress?: ProgressReporter;
}

export interface CheckoutSummary {
  outputs: CheckoutResult[];
}

export async function checkout(repo: Repo, options: CheckoutOptions = {}): Promise<CheckoutSummary> {
  return repo.withLock(async () => {
    const files = selectDvcFiles(collectWorkspace(repo).dvcFiles, toRepoTargets(repo.root, options.cwd ?? repo.root, options.targets));
    const outputs: CheckoutResult[] = [];
    const failures: { path: string; error: MlpipeError }[] = [];
    for (const f of files) {
      for (const o of f.outputs) {
        if (!o.out.cache) continue;
        if (o.out.md5 === undefined) continue; // never committed: nothing to restore
        try {
          const r = await checkoutOutput(repo, { abs: o.abs, md5: o.out.md5, legacy: o.out.legacy, isexec: o.out.isexec }, options);
          if (r.added || r.modified || r.deleted) outputs.push(r);
        } catch (err) {
          if (!isMlpipeError(err) || !['E_MISSING_CACHE', 'E_CORRUPT', 'E_CONFLICT'].includes(err.code)) throw err;
          failures.push({ path: o.path, error: err });
        }
      }
    }
    if (failures.length) {
      const first = failures[0]!.error;
      throw new MlpipeError(first.code, `checkout failed for ${failures.map((f) => f.path).join(', ')}: ${first.message}`, {
        expected: first.expected,
        received: first.received,
        hint: first.hint,
        data: { restored: outputs, failed: failures.map((f) => ({ path: f.path, ...f.error.toJSON() })) },
      });
    }
    return { outputs };
  });
}
