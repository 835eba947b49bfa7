import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Repo } from '../../core/repo/open.js';
import type { StatusReason } from '../../pipeline/plan.js';
import { type CommandContext, action, examples } from '../command.js';

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .description('show tracked data that differs from its .dvc file and pipeline stages that changed (as dvc status)')
    .argument('[targets...]', '.dvc files, outputs or folders to check (default: all)')
    .option('-c, --cloud', 'compare the cache with a remote instead: what is missing locally or remotely')
    .option('-r, --remote <name>', 'the remote for --cloud (default: the default remote)')
    .action(
      action<[string[]], { cloud?: boolean; remote?: string }>(async (ctx, opts, targets) => {
        if (opts.cloud || opts.remote) return cloudStatusCommand(ctx, targets, opts.remote);
        const { withRepo } = await import('../../core/repo/open.js');
        const { dataStatus, dataStatusToDvcJson } = await import('../../core/repo/status.js');
        const { frozenImports } = await import('../../core/repo/imports.js');
        const { collectWorkspace } = await import('../../core/repo/dvcfiles.js');
        await withRepo(ctx.cwd, async (repo) => {
          // One walk of the workspace for both uses of its .dvc files.
          const { dvcFiles } = collectWorkspace(repo);
          const status = await dataStatus(repo, { targets, cwd: ctx.cwd, progress: ctx.out.progress, dvcFiles });
          const frozen = frozenImports(repo, dvcFiles);
          // the pipeline part (dvc.yaml stages, §5.5) when no targets narrow the check to data files
          const pipeline = targets.length === 0 ? await pipelinePart(repo) : NO_PIPELINE;
          const json = { ...dataStatusToDvcJson(status.changed), ...Object.fromEntries(pipeline.changed.map((c) => [c.stage, c.reasons])) };
          ctx.out.result(json, () => {
            printStatus();
            // DVC prints nothing about frozen imports; they are listed so nobody expects them to follow their source
            if (frozen.length > 0) ctx.out.line('Frozen imports (not compared with their source; `mlpipe update FILE.dvc` moves them):');
            for (const f of frozen) ctx.out.line(`\t${f.dvcFile}: ${f.path} from ${f.url}${f.rev ? ` @ ${f.rev}` : ''} (${f.revLock.slice(0, 7)})`);
          });
          function printStatus(): void {
            if (status.tracked === 0 && pipeline.stages === 0) {
              ctx.out.line('There are no data or pipelines tracked in this project yet.');
              return;
            }
            if (status.changed.length === 0 && pipeline.changed.length === 0) {
              ctx.out.line('Data and pipelines are up to date.');
              return;
            }
            // DVC's layout: tab indents, each status padded to 20 columns including its colon.
            for (const entry of status.changed) {
              ctx.out.line(`${entry.dvcFile}:`);
              ctx.out.line('\tchanged outs:');
              for (const c of entry.changes) ctx.out.line(`\t\t${`${c.status}:`.padEnd(20)}${c.path}`);
            }
            if (pipeline.changed.length > 0) ctx.out.line(pipeline.render());
          }
          quietExit(ctx, status.changed.length === 0 && pipeline.changed.length === 0);
        });
      }),
    );
  examples(cmd, ['mlpipe status', 'mlpipe status data/raw.csv.dvc', 'mlpipe --json status', 'mlpipe status -c -r storage']);
}

/**
 * The stages of the root dvc.yaml that changed. Without a dvc.yaml (a data-only repository) the
 * pipeline modules are not even loaded, as they are a third of what a no-op `status` loads; the
 * repository lock is still taken for a moment, so `status` keeps answering E_LOCKED while another
 * command works in the repository.
 */
interface PipelinePart {
  stages: number;
  changed: { stage: string; reasons: StatusReason[] }[];
  render(): string;
}

const NO_PIPELINE: PipelinePart = { stages: 0, changed: [], render: () => '' };

async function pipelinePart(repo: Repo): Promise<PipelinePart> {
  if (!existsSync(join(repo.root, 'dvc.yaml'))) {
    await repo.withLock(() => undefined);
    return NO_PIPELINE;
  }
  const { pipelineStatus, dataOpsFor } = await import('../../pipeline/status.js');
  const { formatStatus } = await import('../render/status.js');
  const result = await pipelineStatus(dataOpsFor(repo));
  return { ...result, render: () => formatStatus(result.changed) };
}

/** `status -c`: objects that are only in the cache (new), only on the remote (deleted), or in neither (missing). */
async function cloudStatusCommand(ctx: CommandContext, targets: string[], remote: string | undefined): Promise<void> {
  const { cloudStatus } = await import('../../remote/sync.js');
  const result = await cloudStatus({ cwd: ctx.cwd, targets, remote, signal: ctx.signal });
  ctx.out.result(result, () => {
    if (result.inSync) return ctx.out.line(`Cache and remote '${result.remote}' are in sync.`);
    for (const e of result.entries) ctx.out.line(`\t${`${e.status}:`.padEnd(20)}${e.path}`);
  });
  quietExit(ctx, result.inSync);
}

/**
 * As DVC: with -q, status answers by its exit code alone (1: something changed or is out of sync),
 * so scripts can write `mlpipe status -q || ...`; without -q it exits 0 either way.
 */
function quietExit(ctx: CommandContext, clean: boolean): void {
  if (ctx.global.quiet && !clean) process.exitCode = 1;
}
