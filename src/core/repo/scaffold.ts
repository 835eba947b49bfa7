import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { findGitRootOf } from './open.js';

/** Templates shipped with the package (templates/<name>/), for `mlpipe init --template NAME`. */
const TEMPLATES_DIR = new URL('../../../templates/', import.meta.url);
export const TEMPLATES = ['tabular'] as const;
export type TemplateName = (typeof TEMPLATES)[number];
/** The model artifact every template's dvc.yaml declares. */
const TEMPLATE_ARTIFACT = 'model';
const ACTION_REF = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+$/;

export interface ScaffoldOptions {
  /** The project folder (already initialised with `initRepo`). */
  root: string;
  template: string;
  /** mlpipe version the workflows install. */
  mlpipeVersion: string;
  /**
   * The setup action the workflows use, `OWNER/REPO@REF` (a fork or mirror of mlpipe at a release
   * tag). Without it, a placeholder the workflows mark for the user to replace.
   */
  action?: string;
  /** Overwrite files that exist already. */
  force?: boolean;
}

export interface ScaffoldResult {
  template: string;
  /** Files written, relative to the project folder. */
  files: string[];
}

/**
 * Writes a template's files into a project: `.github/workflows/*` go to the git root (GitHub reads
 * them only there) with PROJECT set to the project's path inside the repository; `gitignore.template`
 * becomes `.gitignore` and `dvc/*` goes to `.dvc/` (mlpipe.config: the default remote, the
 * `mlpipe-storage` branch of `origin`); everything else is copied into the project folder. Existing files are never
 * overwritten without `force`: the whole scaffold is refused first, so nothing is half-written.
 */
export function scaffoldTemplate(options: ScaffoldOptions): ScaffoldResult {
  if (!(TEMPLATES as readonly string[]).includes(options.template)) {
    throw new MlpipeError('E_BAD_INPUT', `unknown template "${options.template}"`, {
      expected: `one of ${TEMPLATES.join(', ')}`,
      received: options.template,
      hint: 'mlpipe init --template tabular',
    });
  }
  const source = new URL(`${options.template}/`, TEMPLATES_DIR).pathname;
  const root = resolve(options.root);
  const gitRoot = findGitRootOf(root) ?? root;
  const project = relative(gitRoot, root).split('\\').join('/') || '.';
  if (options.action !== undefined && !ACTION_REF.test(options.action)) {
    throw new MlpipeError('E_BAD_INPUT', `--action must name a GitHub action at a ref, not "${options.action}"`, {
      expected: 'OWNER/REPO@REF, for example my-org/mlpipe@v0.1.0',
      received: options.action,
      hint: 'point it at the mlpipe repository (or your fork) and a release tag',
    });
  }
  const values: Record<string, string> = {
    PROJECT: project,
    PROJECT_PREFIX: project === '.' ? '' : `${project}/`,
    // The template's registry artifact (dvc.yaml `artifacts: model`) as GTO names it: the bare name
    // at the git root, path/to/dvc.yaml:NAME in a folder; its tags write `=` for `:`.
    ARTIFACT: project === '.' ? TEMPLATE_ARTIFACT : `${project}/dvc.yaml:${TEMPLATE_ARTIFACT}`,
    ARTIFACT_TAG: project === '.' ? TEMPLATE_ARTIFACT : `${project}/dvc.yaml=${TEMPLATE_ARTIFACT}`,
    MLPIPE_VERSION: options.mlpipeVersion,
    ACTION: options.action ?? `OWNER/mlpipe@v${options.mlpipeVersion}`,
    // A placeholder is marked where it is used (the indentation is that of the `uses:` lines).
    ACTION_COMMENT: options.action ? '' : '# PLACEHOLDER: set OWNER to the GitHub owner of the mlpipe repository you use (`mlpipe init --action`)\n        ',
  };
  const plan = listFiles(source).map((rel) => {
    const target = rel.startsWith('.github/')
      ? join(gitRoot, rel)
      : join(root, rel === 'gitignore.template' ? '.gitignore' : rel.startsWith('dvc/') ? `.dvc/${rel.slice(4)}` : rel);
    const text = readFileSync(join(source, rel), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (m, key: string) => values[key] ?? m);
    return { target, text };
  });
  const existing = plan.filter((p) => existsSync(p.target)).map((p) => relative(root, p.target));
  if (existing.length && !options.force) {
    throw new MlpipeError('E_CONFLICT', `the template would overwrite ${existing.length} existing file(s)`, {
      expected: 'a project without these files',
      received: existing.join(', '),
      hint: 'move them away, or pass --force to overwrite them',
    });
  }
  for (const p of plan) {
    mkdirSync(dirname(p.target), { recursive: true });
    writeFileAtomic(p.target, p.text);
  }
  return { template: options.template, files: plan.map((p) => relative(root, p.target)) };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}
