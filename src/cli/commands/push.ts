import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import type { SyncResult } from '../../remote/sync.js';
import { type CommandContext, action, examples } from '../command.js';
import { integer } from '../options.js';

export interface SyncFlags {
  remote?: string;
  jobs?: number;
  runCache?: boolean;
}

/** Turns the flags every sync command shares into the library's options. */
export function syncOptionsOf(ctx: CommandContext, opts: SyncFlags, targets: string[]) {
  return { cwd: ctx.cwd, targets, remote: opts.remote, jobs: opts.jobs, progress: ctx.out.progress, signal: ctx.signal };
}

export function registerPush(program: Command): void {
  const cmd = program
    .command('push')
    .description('upload the cached data and models of tracked outputs to a remote (only what it lacks)')
    .argument('[targets...]', 'outputs or .dvc files to push (default: all)')
    .option('--allow-missing', 'warn (as DVC does) instead of failing when an object to push is in neither the cache nor the remote');
  withSyncOptions(cmd).action(
    action<[string[]], SyncFlags & { allowMissing?: boolean }>(async (ctx, opts, targets) => {
      const { pushToRemote } = await import('../../remote/sync.js');
      const result = await pushToRemote(syncOptionsOf(ctx, opts, targets));
      if (!opts.allowMissing && result.failed.length === 0 && result.missing.length > 0) throw missingOnPush(result);
      await withRunCache(ctx, opts, 'push', result);
      renderSync(ctx, 'pushed', result);
    }),
  );
  examples(cmd, ['mlpipe push', 'mlpipe push data/train.csv.dvc -r backup -j 8', 'mlpipe push --allow-missing', 'mlpipe --json push']);
}

/**
 * DVC warns and exits 0 when an object to push is in neither the cache nor the remote; a CI job
 * then commits metadata naming data that exists nowhere. mlpipe fails instead (--allow-missing
 * keeps DVC's way); what was pushed stays pushed.
 */
function missingOnPush(result: SyncResult): MlpipeError {
  const n = result.missing.length;
  return new MlpipeError('E_MISSING_CACHE', `${n} object${n === 1 ? ' is' : 's are'} neither in the cache nor on remote '${result.remote}', ${result.transferred} pushed`, {
    expected: 'every cached output to be in the local cache (or already on the remote)',
    received: `${result.missingPaths.slice(0, 10).join(', ')}${n > 10 ? ', ...' : ''}`,
    hint: 'run `mlpipe repro` or `mlpipe pull` to get the missing outputs back, or `mlpipe push --allow-missing` to push the rest and only warn',
    data: { ...result },
  });
}

/**
 * The shared rendering of push / fetch / pull results: DVC's summary line ("4 files pushed",
 * "Everything is up to date."), a warning for objects in neither place, and one error when any
 * object failed (so --json prints exactly one document: the result, or the error carrying it).
 */
export function renderSync(ctx: CommandContext, verb: 'pushed' | 'fetched', result: SyncResult, extra: Record<string, unknown> = {}): void {
  if (result.failed.length > 0) {
    const first = result.failed.slice(0, 3).map((f) => `${f.oid}: ${f.message}`);
    // Files fail first; a manifest then fails only as their consequence, so the first cause names the code.
    const code = result.failed[0]?.code;
    throw new MlpipeError(
      code === 'E_REMOTE_TOO_LARGE' || code === 'E_REMOTE_AUTH' || code === 'E_CORRUPT' ? code : 'E_REMOTE',
      `${result.failed.length} file${result.failed.length === 1 ? '' : 's'} failed to be ${verb} (remote '${result.remote}'), ${result.transferred} ${verb}`,
      {
        received: first.join('\n            '),
        hint: 'fix the cause above and run the same command again: only what is missing is transferred',
        data: { ...result, ...extra },
      },
    );
  }
  if (result.missing.length > 0) {
    ctx.out.warn(
      `${result.missing.length} object${result.missing.length === 1 ? ' is' : 's are'} neither in the cache nor on remote '${result.remote}': ${result.missingPaths.slice(0, 10).join(', ')}${result.missing.length > 10 ? ', ...' : ''}`,
    );
  }
  if (result.legacySkipped > 0) {
    ctx.out.warn(`${result.legacySkipped} DVC 2.x (md5-dos2unix) objects were skipped; migrate them with \`dvc cache migrate\``);
  }
  ctx.out.result({ ...result, ...extra }, () => {
    const n = result.transferred;
    ctx.out.line(n === 0 ? 'Everything is up to date.' : `${n} file${n === 1 ? '' : 's'} ${verb}`);
  });
}

/**
 * `--run-cache`: also transfers DVC's run-cache entries (remote `runs/`); they count in the
 * summary line as DVC counts them ("2 files pushed": one object and one entry).
 */
export async function withRunCache(ctx: CommandContext, opts: SyncFlags, direction: 'push' | 'fetch', result: SyncResult): Promise<void> {
  if (!opts.runCache || result.failed.length > 0) return;
  const { pushRunCache, fetchRunCache } = await import('../../remote/run-cache-sync.js');
  const sync = direction === 'push' ? pushRunCache : fetchRunCache;
  const runs = await sync({ cwd: ctx.cwd, remote: opts.remote, signal: ctx.signal });
  result.transferred += runs.transferred;
  result.skipped += runs.skipped;
}

/** The flags push, fetch and pull share. */
export function withSyncOptions(cmd: Command): Command {
  return cmd
    .option('--run-cache', "also transfer the run-cache (the remote's runs/, as dvc --run-cache)")
    .option('-r, --remote <name>', 'remote to use (default: the default remote)')
    .option('-j, --jobs <n>', 'parallel transfers (default depends on the remote type)', integer({ min: 1 }));
}
