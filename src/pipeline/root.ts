/** The repository root for pipeline commands (the folder holding `.dvc/`), or E_NOT_A_REPO. */
export { requireRepoRoot as requireRoot } from '../core/repo/find-root.js';
