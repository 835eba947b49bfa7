import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface ServeOptions {
  dir: string;
  host: string;
  port: string;
  token?: string;
  authReads?: boolean;
  maxSize?: string;
}

export function registerRemote(program: Command): void {
  const remote = program
    .command('remote')
    .description('manage remote storage (local folder, git branch, S3, HTTP) and serve a self-hosted remote');

  const serve = remote
    .command('serve')
    .description('run a self-hosted HTTP remote that DVC and mlpipe can push to and pull from')
    .requiredOption('--dir <dir>', 'folder to store the objects in (created if missing)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8765')
    .option('--token <token>', 'require `Authorization: Bearer <token>` for uploads (default: $MLPIPE_REMOTE_TOKEN)')
    .option('--auth-reads', 'require the token for downloads too')
    .option('--max-size <size>', 'largest upload accepted, e.g. 2GiB', '5GiB')
    .action(
      action<[], ServeOptions>(async (ctx, opts) => {
        const { startRemoteServer } = await import('../../remote/server/serve.js');
        const { parseSize } = await import('../../remote/stores/open.js');
        const { resolve } = await import('node:path');
        const { MlpipeError } = await import('../../errors.js');
        const token = opts.token ?? process.env.MLPIPE_REMOTE_TOKEN;
        if (opts.authReads && !token) {
          throw new MlpipeError('E_USAGE', '--auth-reads needs a token', { hint: 'add --token T (or set MLPIPE_REMOTE_TOKEN)' });
        }
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new MlpipeError('E_BAD_INPUT', `--port must be a port number`, { expected: '0-65535', received: opts.port });
        }
        const dir = resolve(ctx.cwd, opts.dir);
        const server = await startRemoteServer({
          dir,
          host: opts.host,
          port,
          token,
          authReads: Boolean(opts.authReads),
          maxBodyBytes: parseSize(opts.maxSize ?? '5GiB'),
        });
        ctx.out.result({ url: server.url, dir, token: Boolean(token), authReads: Boolean(opts.authReads) }, () => {
          ctx.out.line(`serving ${dir} at ${server.url} (uploads ${token ? 'need the token' : 'are open to anyone'})`);
          ctx.out.line(`configure it with: mlpipe remote add NAME ${server.url}`);
          if (token) {
            ctx.out.line('  mlpipe remote modify NAME auth custom');
            ctx.out.line('  mlpipe remote modify NAME custom_auth_header Authorization');
            ctx.out.line('  mlpipe remote modify --local NAME password "Bearer <token>"');
          }
          ctx.out.line('press Ctrl-C to stop');
        });
        await new Promise<void>((done) => ctx.signal.addEventListener('abort', () => done(), { once: true }));
        await server.close();
      }),
    );
  examples(serve, [
    'mlpipe remote serve --dir /srv/mlpipe --token "$TOKEN"',
    'mlpipe remote serve --dir ./storage --host 0.0.0.0 --port 8080 --token "$TOKEN" --auth-reads',
  ]);
}
