import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface ConfigOptions {
  global?: boolean;
  system?: boolean;
  local?: boolean;
  project?: boolean;
  list?: boolean;
  unset?: boolean;
  showOrigin?: boolean;
}

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description("get, set, --unset or --list DVC's config options (core.*, cache.*, remote.NAME.*) in the same files as `dvc config`")
    .argument('[name]', 'option name: core.remote, cache.type, remote.NAME.OPTION, ...')
    .argument('[value]', 'new value (omit to print the current one)')
    .option('--global', 'use the global config (~/.config/dvc/config)')
    .option('--system', 'use the system config (/etc/xdg/dvc/config)')
    .option('--project', 'use the repository config (.dvc/config; the default when setting)')
    .option('--local', 'use .dvc/config.local (not committed: secrets)')
    .option('-l, --list', 'list every option set (per file: system, global, repo, local)')
    .option('-u, --unset', 'remove the option')
    .option('--show-origin', 'with --list, name the file each option comes from')
    .action(
      action<[string | undefined, string | undefined], ConfigOptions>(async (ctx, opts, name, value) => {
        const { getConfig, listConfig, setConfig } = await import('../../remote/settings.js');
        const { MlpipeError } = await import('../../errors.js');
        const chosen = (['global', 'system', 'local', 'project'] as const).filter((l) => opts[l]);
        if (chosen.length > 1) throw new MlpipeError('E_USAGE', `choose one of --${chosen.join(', --')}`);
        const level = chosen[0] === 'project' ? 'repo' : chosen[0];
        if (opts.list) {
          if (name !== undefined) throw new MlpipeError('E_USAGE', '--list takes no option name');
          const entries = listConfig({ cwd: ctx.cwd, level });
          ctx.out.result({ entries }, () => {
            for (const e of entries) ctx.out.line(`${opts.showOrigin ? `${e.file}\t` : ''}${e.name}=${e.value}`);
          });
          return;
        }
        if (name === undefined) throw new MlpipeError('E_USAGE', 'give an option name, or --list', { hint: 'mlpipe config core.remote' });
        if (opts.unset || value !== undefined) {
          if (opts.unset && value !== undefined) throw new MlpipeError('E_USAGE', '--unset takes no value');
          const res = setConfig({ cwd: ctx.cwd, name, value: opts.unset ? undefined : value, level });
          // Silent on success, as `dvc config`; --verbose says where it went.
          ctx.out.result(res, () => ctx.out.debug(`${opts.unset ? 'unset' : 'set'} ${res.name} in ${res.file}`));
          return;
        }
        const res = getConfig({ cwd: ctx.cwd, name, level });
        ctx.out.result(res, () => ctx.out.line(res.value));
      }),
    );
  examples(config, [
    'mlpipe config core.autostage true',
    'mlpipe config --local remote.storage.secret_access_key "$SECRET"',
    'mlpipe config cache.type hardlink,symlink',
    'mlpipe config --list --show-origin',
    'mlpipe config --unset core.autostage',
  ]);
}
