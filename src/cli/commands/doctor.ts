import type { Command } from 'commander';
import { action, examples } from '../command.js';

type DoctorOptions = Record<string, never>;

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('show versions of mlpipe, Node and git, and which optional engines load on this machine')
    .action(
      action<[], DoctorOptions>(async (ctx) => {
        const { diagnose } = await import('../../core/doctor.js');
        const report = await diagnose({ cwd: ctx.cwd });
        ctx.out.result(report, () => {
          ctx.out.table(
            report.components.map((c) => ({ ...c, status: c.ok ? ctx.out.color.green('ok') : ctx.out.color.red('missing') })),
            [
              { key: 'name', header: 'component' },
              { key: 'status', header: 'status' },
              { key: 'version', header: 'version' },
            ],
          );
          ctx.out.line();
          ctx.out.line(`repository: ${report.repo ?? 'none (run `mlpipe init` inside a git repository)'}`);
        });
      }),
    );
  examples(cmd, ['mlpipe doctor', 'mlpipe doctor --json']);
}
