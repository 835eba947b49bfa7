import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { action, examples } from '../command.js';

/** `mlpipe queue`: the experiments queued with `exp run --queue` (see src/pipeline/exp/queue.ts). */
export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('queued experiments: status, logs, remove, kill');

  const status = queue
    .command('status')
    .description('every queued, running and finished task')
    .action(
      action<[], Record<string, never>>(async (ctx) => {
        const { listQueue } = await import('../../pipeline/exp/queue-store.js');
        const { renderQueueStatus } = await import('../render/queue.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const entries = listQueue(requireRoot(ctx.cwd));
        ctx.out.result(entries, () => ctx.out.line(renderQueueStatus(entries)));
      }),
    );
  examples(status, ['mlpipe queue status']);

  const logs = queue
    .command('logs <task>')
    .description("a task's output (its name or task id)")
    .action(
      action<[string], Record<string, never>>(async (ctx, _opts, name) => {
        const { findTasks } = await import('../../pipeline/exp/queue-store.js');
        const { readLog } = await import('../../pipeline/exp/queue.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const root = requireRoot(ctx.cwd);
        const [task] = findTasks(root, [name]);
        if (!task) return;
        const log = readLog(root, task);
        ctx.out.result({ ...task, output: log }, () => ctx.out.line(log.replace(/\n$/, '')));
      }),
    );
  examples(logs, ['mlpipe queue logs exp-a3']);

  const remove = queue
    .command('remove [tasks...]')
    .description('forget tasks (not running ones) and their logs')
    .option('--all', 'every task that is not running')
    .option('--queued', 'every task still queued')
    .option('--success', 'every finished task')
    .option('--failed', 'every failed task')
    .action(
      action<[string[]], { all?: boolean; queued?: boolean; success?: boolean; failed?: boolean }>(async (ctx, opts, names) => {
        const { removeTasks } = await import('../../pipeline/exp/queue.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        if (names.length === 0 && !opts.all && !opts.queued && !opts.success && !opts.failed) {
          throw new MlpipeError('E_USAGE', 'name the tasks to remove, or use --all, --queued, --success or --failed', { hint: 'see `mlpipe queue status`' });
        }
        const removed = removeTasks({ root: requireRoot(ctx.cwd), names, ...opts });
        ctx.out.result({ removed: removed.map((t) => t.name) }, () => ctx.out.line(`Removed tasks in queue: ${removed.map((t) => `'${t.name}'`).join(', ') || 'none'}`));
      }),
    );
  examples(remove, ['mlpipe queue remove exp-b5', 'mlpipe queue remove --failed']);

  const kill = queue
    .command('kill <tasks...>')
    .description('stop running tasks (SIGTERM to their process group); they are recorded as failed')
    .action(
      action<[string[]], Record<string, never>>(async (ctx, _opts, names) => {
        const { killTasks } = await import('../../pipeline/exp/queue.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const killed = killTasks(requireRoot(ctx.cwd), names);
        ctx.out.result({ killed: killed.map((t) => t.name) }, () => ctx.out.line(`Sent SIGTERM to: ${killed.map((t) => `'${t.name}'`).join(', ')}`));
      }),
    );
  examples(kill, ['mlpipe queue kill exp-a3']);
}
