import { type Command, Option } from 'commander';
import { action, examples } from '../command.js';
import { port } from '../options.js';

interface UiFlags {
  port: number;
  host: string;
  token?: string;
  export?: string;
}

export function registerUi(program: Command): void {
  const cmd = program
    .command('ui')
    .description('a read-only dashboard of the repository: experiments, compare, pipeline, data reports, models')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', port, 8585)
    .option('--host <host>', 'address to bind (a non-loopback address needs --token)', '127.0.0.1')
    .addOption(new Option('--token <token>', 'require "Authorization: Bearer <token>" or ?token=<token> on /api/*').env('MLPIPE_UI_TOKEN'))
    .option('--export <dir>', 'write the dashboard as static files with the data embedded (opens from file://), then exit')
    .action(
      action<[], UiFlags>(async (ctx, flags) => {
        const { requireRoot } = await import('../../pipeline/root.js');
        const root = requireRoot(ctx.cwd);
        if (flags.export !== undefined) {
          const { exportSite } = await import('../../ui/export.js');
          const result = await exportSite({ root, dir: flags.export });
          ctx.out.result(result, () => ctx.out.line(`Exported ${result.experiments} rows to ${result.dir}/index.html`));
          return;
        }
        const { startUi } = await import('../../ui/server.js');
        const running = await startUi({ root, port: flags.port, host: flags.host, token: flags.token });
        ctx.out.result({ url: running.url, port: running.port }, () => ctx.out.line(`Dashboard on ${running.url} (Ctrl-C to stop)`));
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        await running.close();
      }),
    );
  examples(cmd, ['mlpipe ui', 'mlpipe ui --port 9000', 'mlpipe ui --host 0.0.0.0 --token "$TOKEN"', 'mlpipe ui --export site']);
}
