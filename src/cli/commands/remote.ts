import { type Command, Option } from 'commander';
import { action, examples } from '../command.js';
import { port, size } from '../options.js';

interface ServeOptions {
  dir?: string;
  store?: string;
  storeOption: string[];
  host: string;
  port: number;
  token?: string;
  authReads?: boolean;
  allowAnonymousUploads?: boolean;
  maxSize: number;
}

interface AddOptions {
  default?: boolean;
  local?: boolean;
  force?: boolean;
}

interface ModifyOptions {
  local?: boolean;
  unset?: boolean;
}

export function registerRemote(program: Command): void {
  const remote = program
    .command('remote')
    .description('manage remote storage (local folder, git branch, S3, GCS, Azure, SSH, HTTP) and serve a self-hosted remote');

  const add = remote
    .command('add')
    .description('add a remote: a folder, s3://bucket/path, gs://bucket/path, azure://container/path, ssh://user@host/path, http(s)://host/path, git (the project origin) or git+URL')
    .argument('<name>', 'remote name')
    .argument('<url>', 'where the objects go')
    .option('-d, --default', 'make it the default remote')
    .option('--local', 'write to .dvc/config.local (not committed)')
    .option('-f, --force', 'replace a remote of the same name')
    .action(
      action<[string, string], AddOptions>(async (ctx, opts, name, url) => {
        const { addRemote } = await import('../../remote/config.js');
        const info = addRemote({ cwd: ctx.cwd, name, url, default: opts.default, local: opts.local, force: opts.force });
        ctx.out.result(info, () => {
          ctx.out.line(`added ${info.kind} remote '${info.name}' (${info.url}) to ${info.file}`);
          if (info.default) ctx.out.line(`Setting '${info.name}' as a default remote.`);
        });
      }),
    );
  examples(add, [
    'mlpipe remote add -d storage /mnt/storage',
    'mlpipe remote add -d storage git                       # branch mlpipe-storage of the origin',
    'mlpipe remote add -d storage git+git@github.com:org/data.git',
    'mlpipe remote add -d storage s3://bucket/project',
    'mlpipe remote add -d storage https://dvc.example.com/project',
    'mlpipe remote add -d storage gs://bucket/project',
    'mlpipe remote add -d storage azure://container/project',
    'mlpipe remote add -d storage ssh://user@host:2222/srv/dvc',
  ]);

  const modify = remote
    .command('modify')
    .description('set (or --unset) an option of a remote, e.g. endpointurl, auth, password, branch')
    .argument('<name>', 'remote name')
    .argument('<key>', 'option name')
    .argument('[value]', 'option value')
    .option('--local', 'write to .dvc/config.local (for secrets)')
    .option('-u, --unset', 'remove the option')
    .action(
      action<[string, string, string | undefined], ModifyOptions>(async (ctx, opts, name, key, value) => {
        const { modifyRemote } = await import('../../remote/config.js');
        const res = modifyRemote({ cwd: ctx.cwd, name, key, value, local: opts.local, unset: opts.unset });
        ctx.out.result(res, () => ctx.out.line(`${opts.unset ? 'unset' : 'set'} ${res.key} of remote '${res.name}' in ${res.file}`));
      }),
    );
  examples(modify, [
    'mlpipe remote modify storage endpointurl http://127.0.0.1:9000',
    'mlpipe remote modify --local storage secret_access_key "$SECRET"',
    'mlpipe remote modify storage branch data-storage',
  ]);

  remote
    .command('list')
    .description('list the remotes (name, type, URL, default)')
    .action(
      action<[], Record<string, never>>(async (ctx) => {
        const { listRemotes } = await import('../../remote/config.js');
        const remotes = listRemotes({ cwd: ctx.cwd });
        ctx.out.result({ remotes }, () => {
          if (remotes.length === 0) ctx.out.line('no remotes (add one with `mlpipe remote add -d NAME URL`)');
          else
            ctx.out.table(
              remotes.map((r) => ({ ...r, default: r.default ? '*' : '' })),
              [
                { key: 'name', header: 'name' },
                { key: 'kind', header: 'type' },
                { key: 'url', header: 'url' },
                { key: 'default', header: 'default' },
              ],
            );
        });
      }),
    );

  remote
    .command('remove')
    .description('remove a remote (from every config file)')
    .argument('<name>', 'remote name')
    .action(
      action<[string], Record<string, never>>(async (ctx, _opts, name) => {
        const { removeRemote } = await import('../../remote/config.js');
        const res = removeRemote({ cwd: ctx.cwd, name });
        ctx.out.result(res, () => ctx.out.line(`removed remote '${res.name}'`));
      }),
    );

  remote
    .command('rename')
    .description('rename a remote (in every config file that holds a part of it; the default follows)')
    .argument('<name>', 'current name')
    .argument('<new>', 'new name')
    .action(
      action<[string, string], Record<string, never>>(async (ctx, _opts, name, newName) => {
        const { renameRemote } = await import('../../remote/config.js');
        const res = renameRemote({ cwd: ctx.cwd, name, newName });
        ctx.out.result(res, () => ctx.out.debug(`renamed remote '${res.name}' to '${res.newName}' in ${res.files.join(', ')}`));
      }),
    );

  remote
    .command('default')
    .description('show, set or --unset the default remote')
    .argument('[name]', 'remote name')
    .option('--local', 'write to .dvc/config.local')
    .option('-u, --unset', 'clear the default remote')
    .action(
      action<[string | undefined], ModifyOptions>(async (ctx, opts, name) => {
        const { listRemotes, setDefaultRemote } = await import('../../remote/config.js');
        if (name === undefined && !opts.unset) {
          const current = listRemotes({ cwd: ctx.cwd }).find((r) => r.default);
          ctx.out.result({ default: current?.name ?? null }, () => ctx.out.line(current?.name ?? 'no default remote'));
          return;
        }
        const res = setDefaultRemote({ cwd: ctx.cwd, name: opts.unset ? undefined : name, local: opts.local });
        ctx.out.result(res, () => ctx.out.line(res.default ? `default remote: ${res.default}` : 'default remote unset'));
      }),
    );

  const serve = remote
    .command('serve')
    .description('run a self-hosted HTTP remote that DVC and mlpipe can push to and pull from')
    .option('--dir <dir>', 'folder to store the objects in (created if missing)')
    .option('--store <url|remote>', 'front another store instead: s3://, gs://, azure://, ssh:// URL, or the name of a configured remote')
    .option(
      '--store-option <key=value>',
      "an option of the --store URL, as in `remote modify` (e.g. endpointurl=...); secrets are better left to the SDK's environment variables",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 8765)
    .option('--token <token>', 'require `Authorization: Bearer <token>` for uploads (default: $MLPIPE_REMOTE_TOKEN)')
    .option('--auth-reads', 'require the token for downloads too')
    .option('--allow-anonymous-uploads', 'with a --host other than loopback, accept uploads without a token')
    .addOption(new Option('--max-size <size>', 'largest upload accepted, e.g. 2GiB').argParser(size({ min: 1 })).default(5 * 1024 ** 3, '5GiB'))
    .action(
      action<[], ServeOptions>(async (ctx, opts) => {
        const { startRemoteServer } = await import('../../remote/server/serve.js');
        const { resolve } = await import('node:path');
        const { MlpipeError } = await import('../../errors.js');
        const token = opts.token ?? process.env.MLPIPE_REMOTE_TOKEN;
        if (opts.authReads && !token) {
          throw new MlpipeError('E_USAGE', '--auth-reads needs a token', { hint: 'add --token T (or set MLPIPE_REMOTE_TOKEN)' });
        }
        if ((opts.dir === undefined) === (opts.store === undefined)) {
          throw new MlpipeError('E_USAGE', 'give either --dir (a folder) or --store (a bucket or remote to front)', {
            hint: 'mlpipe remote serve --dir /srv/mlpipe, or mlpipe remote serve --store s3://bucket/path',
          });
        }
        let store: import('../../remote/stores/types.js').ObjectStore | undefined;
        let dir: string;
        if (opts.store !== undefined) {
          const { openFrontedStore } = await import('../../remote/server/fronted.js');
          ({ store, scratchDir: dir } = await openFrontedStore({ cwd: ctx.cwd, store: opts.store, options: opts.storeOption }));
        } else {
          dir = resolve(ctx.cwd, opts.dir as string);
          const { assertFolderOption } = await import('../../core/fs/permission.js');
          assertFolderOption(dir, opts.dir as string, '--dir');
        }
        const server = await startRemoteServer({
          dir,
          store,
          host: opts.host,
          port: opts.port,
          token,
          authReads: Boolean(opts.authReads),
          allowAnonymousUploads: Boolean(opts.allowAnonymousUploads),
          maxBodyBytes: opts.maxSize,
        });
        const serving = store?.location ?? dir;
        ctx.out.result({ url: server.url, dir, store: store?.location ?? null, token: Boolean(token), authReads: Boolean(opts.authReads) }, () => {
          ctx.out.line(`serving ${serving} at ${server.url} (uploads ${token ? 'need the token' : 'are open to anyone'})`);
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
        await store?.close();
      }),
    );
  examples(serve, [
    'mlpipe remote serve --dir /srv/mlpipe --token "$TOKEN"',
    'mlpipe remote serve --dir ./storage --host 0.0.0.0 --port 8080 --token "$TOKEN" --auth-reads',
    'mlpipe remote serve --store s3://bucket/project --token "$TOKEN"        # AWS_* credentials',
    'mlpipe remote serve --store storage --token "$TOKEN"                    # a remote of this project',
  ]);
}
