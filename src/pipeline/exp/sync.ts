import { EXPS_NAMESPACE, type ExpRef, findExperiment, git, listExperiments } from './refs.js';

/**
 * The git half of `exp push` / `exp pull`: experiment refs travel as `refs/exps/...` (all of them,
 * or the named ones). The CLI then moves their cached outputs with the data remote (revs = the
 * experiments' commits), as DVC's exp push/pull do unless `--no-cache`.
 */
export function syncExperimentRefs(root: string, gitRemote: string, direction: 'push' | 'pull', names: string[] = []): ExpRef[] {
  if (direction === 'push') {
    const exps = names.length > 0 ? names.map((n) => findExperiment(root, n)) : listExperiments(root);
    const specs = names.length > 0 ? exps.map((e) => `+${e.ref}:${e.ref}`) : [`+${EXPS_NAMESPACE}/*:${EXPS_NAMESPACE}/*`];
    if (exps.length > 0) git(root, ['push', '--quiet', gitRemote, ...specs]);
    return exps;
  }
  git(root, ['fetch', '--quiet', gitRemote, `+${EXPS_NAMESPACE}/*:${EXPS_NAMESPACE}/*`]);
  const all = listExperiments(root);
  return names.length > 0 ? all.filter((e) => names.includes(e.name)) : all;
}
