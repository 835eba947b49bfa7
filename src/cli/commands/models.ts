import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { type CommandContext, action, examples } from '../command.js';
import { float } from '../options.js';

interface WriteOptions {
  message?: string;
  push?: boolean;
  force?: boolean;
}
interface RegisterOptions extends WriteOptions {
  version?: string;
  bumpMajor?: boolean;
  bumpMinor?: boolean;
  bumpPatch?: boolean;
  ifImproves?: string;
  margin: number;
  thanStage: string;
  lowerIsBetter?: boolean;
}
interface AssignOptions extends WriteOptions {
  stage: string;
  version?: string;
}
interface ShowOptions {
  ref?: boolean;
  version?: boolean;
  plain?: boolean;
  deprecated?: boolean;
  metrics?: boolean;
}

/** GTO's lines after a tag is written (the push hint, or the push itself). */
function printCreated(ctx: CommandContext, created: { tag: string; summary: string; pushed: boolean }[]): void {
  for (const c of created) {
    ctx.out.line(c.summary);
    if (c.pushed) ctx.out.line(`Pushed git tag ${c.tag} to origin.`);
    else ctx.out.line(`To push the changes upstream, run:\n    git push origin ${c.tag}`);
  }
}

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('model registry in git tags (GTO 1.8 format): register versions, assign stages, show, history');

  const reg = models
    .command('register')
    .description('register a version of an artifact at a commit (tag NAME@vX.Y.Z); without --version the latest is bumped (patch)')
    .argument('<name>', 'artifact name (a monorepo name is path/to/dvc.yaml:NAME)')
    .argument('[ref]', 'commit, branch or tag to register', 'HEAD')
    .option('--version <version>', 'the version to register, vX.Y.Z')
    .option('--bump-major', 'bump the major part of the latest version')
    .option('--bump-minor', 'bump the minor part of the latest version')
    .option('--bump-patch', 'bump the patch part of the latest version (the default)')
    .option('-m, --message <text>', 'tag message instead of the default')
    .option('--push', 'push the tag to origin')
    .option('--force', 'register even if this commit has a version already')
    .option('--if-improves <metric>', 'register only if METRIC (from the dvc.yaml metrics files at REF) beats the version in --than-stage (else the latest registered) by more than --margin')
    .option('--margin <delta>', 'the absolute improvement --if-improves needs', float({ min: 0 }), 0)
    .option('--than-stage <stage>', 'the stage whose version --if-improves compares with', 'prod')
    .option('--lower-is-better', 'for --if-improves: the metric is a loss or an error')
    .action(
      action<[string, string], RegisterOptions>(async (ctx, opts, name, ref) => {
        const { register } = await import('../../registry/ops.js');
        const { registryRoot } = await import('../../registry/load.js');
        const bumps = (['major', 'minor', 'patch'] as const).filter((b) => opts[`bump${b[0]?.toUpperCase()}${b.slice(1)}` as 'bumpMajor']);
        if (bumps.length > 1) throw new MlpipeError('E_USAGE', 'Need to specify either version or single bump argument', { hint: 'pass one --bump-* flag' });
        if (opts.ifImproves) {
          const verdict = await improvement(ctx, name, ref, opts);
          if (!verdict.improves) {
            ctx.out.result({ registered: false, ...verdict }, () =>
              ctx.out.line(`Not registered: ${verdict.metric} ${verdict.current} does not beat ${verdict.baseline} (${verdict.against}) by more than ${verdict.margin}`),
            );
            return;
          }
        }
        const created = register(registryRoot(ctx.cwd), {
          name,
          rev: ref,
          version: opts.version,
          bump: bumps[0],
          message: opts.message,
          push: opts.push,
          force: opts.force,
        });
        ctx.out.result(created, () => printCreated(ctx, [created]));
      }),
    );
  examples(reg, [
    'mlpipe models register churn --version v1.0.0',
    'mlpipe models register churn --bump-minor HEAD~1',
    'mlpipe models register churn --if-improves metrics/eval.json:roc_auc --margin 0.002 --push',
  ]);

  const which = models
    .command('which')
    .description('the commit a model choice names: NAME#STAGE, NAME@latest, NAME@vX.Y.Z or a git ref; with none, --name\'s version in --stage, else its latest, else --fallback')
    .argument('[model]', 'what to use (empty: the defaults)')
    .option('--name <artifact>', 'the artifact for the defaults')
    .option('--stage <stage>', 'the stage tried first', 'prod')
    .option('--fallback <ref>', 'the git ref when nothing is registered', 'main')
    .action(
      action<[string | undefined], { name?: string; stage: string; fallback: string }>(async (ctx, opts, query) => {
        const { loadState, registryRoot } = await import('../../registry/load.js');
        const { which: resolveWhich } = await import('../../registry/which.js');
        const root = registryRoot(ctx.cwd);
        const w = resolveWhich(root, loadState(root), { query, name: opts.name, stage: opts.stage, fallback: opts.fallback });
        // one line for scripts: commit, then what it is
        ctx.out.result(w, () => ctx.out.line(`${w.commit} ${w.version ?? w.ref} ${w.how}`));
      }),
    );
  examples(which, ["mlpipe models which 'churn#prod'", 'mlpipe models which --name churn     # prod, else latest, else main', 'mlpipe models which v2.1']);

  const assign = models
    .command('assign')
    .description('assign a stage to a version (tag NAME#STAGE#N); the commit is registered first if it has no version')
    .argument('<name>', 'artifact name')
    .argument('[ref]', 'commit whose version gets the stage (default HEAD, when no --version)')
    .requiredOption('--stage <stage>', 'stage name, e.g. prod')
    .option('--version <version>', 'the registered version to assign')
    .option('-m, --message <text>', 'tag message instead of the default')
    .option('--push', 'push the tag to origin (a deploy workflow can react to it)')
    .option('--force', 'assign even if the version is in this stage already')
    .action(
      action<[string, string | undefined], AssignOptions>(async (ctx, opts, name, ref) => {
        const { assign: assignStage } = await import('../../registry/ops.js');
        const { registryRoot } = await import('../../registry/load.js');
        const created = assignStage(registryRoot(ctx.cwd), { name, stage: opts.stage, version: opts.version, rev: ref, message: opts.message, push: opts.push, force: opts.force });
        ctx.out.result(created, () => printCreated(ctx, created));
      }),
    );
  examples(assign, ['mlpipe models assign churn --version v1.0.0 --stage prod', 'mlpipe models assign churn --stage staging   # the version at HEAD']);

  const dep = models
    .command('deprecate')
    .description('GTO 1.8\'s undo verb: NAME VERSION STAGE unassigns a stage, NAME VERSION deregisters a version, NAME deprecates the artifact')
    .argument('<name>', 'artifact name')
    .argument('[version]', 'version to deregister (or to unassign STAGE from)')
    .argument('[stage]', 'stage to unassign')
    .option('-m, --message <text>', 'tag message instead of the default')
    .option('--push', 'push the tag to origin')
    .option('--force', 'write the tag even if it changes nothing')
    .action(
      action<[string, string | undefined, string | undefined], WriteOptions>(async (ctx, opts, name, version, stage) => {
        const { deprecate } = await import('../../registry/ops.js');
        const { registryRoot } = await import('../../registry/load.js');
        const created = deprecate(registryRoot(ctx.cwd), { name, version, stage, message: opts.message, push: opts.push, force: opts.force });
        ctx.out.result(created, () => printCreated(ctx, [created]));
      }),
    );
  examples(dep, ['mlpipe models deprecate churn v1.0.1 staging', 'mlpipe models deprecate churn v1.0.1', 'mlpipe models deprecate churn']);

  const declare = models
    .command('declare')
    .description('declare an artifact in dvc.yaml (artifacts: NAME: path, type, desc, labels, meta), as DVC 3 writes it')
    .argument('<name>', 'artifact name (path/to/dvc.yaml:NAME declares it in that dvc.yaml)')
    .requiredOption('--path <path>', 'the artifact, relative to the dvc.yaml folder')
    .option('--type <type>', 'artifact type (model shows it in model registries)', 'model')
    .option('--desc <text>', 'description')
    .option('--label <label...>', 'labels')
    .option('--meta <key=value...>', 'free-form metadata')
    .action(
      action<[string], { path: string; type: string; desc?: string; label?: string[]; meta?: string[] }>(async (ctx, opts, name) => {
        const { declareArtifact } = await import('../../registry/artifacts.js');
        const { assertArtifactName } = await import('../../registry/names.js');
        const { findRepoRoot } = await import('../../core/repo/find-root.js');
        const { registryRoot } = await import('../../registry/load.js');
        assertArtifactName(name);
        const meta: Record<string, string> = {};
        for (const kv of opts.meta ?? []) {
          const eq = kv.indexOf('=');
          if (eq < 1) throw new MlpipeError('E_USAGE', `--meta takes key=value, got '${kv}'`, { hint: '--meta framework=mlpipe' });
          meta[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        const root = findRepoRoot(ctx.cwd) ?? registryRoot(ctx.cwd);
        const done = declareArtifact(root, name, {
          path: opts.path,
          type: opts.type,
          desc: opts.desc,
          labels: opts.label,
          meta: Object.keys(meta).length > 0 ? meta : undefined,
        });
        ctx.out.result(done, () => ctx.out.line(`Declared artifact '${done.name}' in ${done.dvcYaml}`));
      }),
    );
  examples(declare, ['mlpipe models declare churn --path model --desc "Income classifier" --label tabular --meta framework=mlpipe']);

  const card = models
    .command('card')
    .description('a model card of a registered version (what it predicts, data, metrics, features and importance, lineage) as Markdown, or HTML')
    .argument('<query>', 'NAME (latest), NAME@vX.Y.Z or NAME#STAGE')
    .option('--html <file>', 'write a self-contained HTML card to FILE')
    .option('-o, --out <file>', 'write the Markdown card to FILE instead of stdout')
    .action(
      action<[string], { html?: string; out?: string }>(async (ctx, opts, query) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { loadCardInput } = await import('../../registry/card-load.js');
        const { cardData, renderHtml, renderMarkdown } = await import('../../registry/card.js');
        const { metricsAt } = await import('../../pipeline/metrics-at.js');
        const { writeFileAtomic } = await import('../../core/fs/atomic.js');
        const { resolve } = await import('node:path');
        await withRepo(ctx.cwd, async (repo) => {
          const data = cardData(loadCardInput(repo, query, (commit) => metricsAt(ctx.cwd, repo.gitRoot as string, commit)));
          const markdown = renderMarkdown(data);
          if (opts.html) writeFileAtomic(resolve(ctx.cwd, opts.html), renderHtml(data));
          if (opts.out) writeFileAtomic(resolve(ctx.cwd, opts.out), markdown);
          ctx.out.result(data, () => {
            if (!opts.out) ctx.out.line(markdown.trimEnd());
            if (opts.html || opts.out) ctx.out.line(`Wrote ${[opts.out, opts.html].filter(Boolean).join(' and ')}`);
          });
        });
      }),
    );
  examples(card, ["mlpipe models card 'churn#prod' --html card.html", 'mlpipe models card churn@v1.2.0 -o MODEL_CARD.md']);

  const mget = models
    .command('get')
    .description('download a registered version of an artifact from a repository (local path or git URL): NAME, --version or --stage picks it')
    .argument('<repo>', 'local path or git URL of the repository holding the registry')
    .argument('<name>', 'artifact name (path/to/dvc.yaml:NAME in a monorepo)')
    .option('--version <version>', 'a registered version, vX.Y.Z')
    .option('--stage <stage>', 'the version in this stage, e.g. prod')
    .option('-o, --out <path>', 'where to write it (default: the artifact base name, here)')
    .option('-f, --force', 'overwrite an existing file or folder')
    .action(
      action<[string, string], { version?: string; stage?: string; out?: string; force?: boolean }>(async (ctx, opts, url, name) => {
        if (opts.version && opts.stage) throw new MlpipeError('E_USAGE', 'pass --version or --stage, not both');
        const { openSource } = await import('../../remote/external.js');
        const { getFromSource } = await import('../../remote/import.js');
        const { loadState } = await import('../../registry/load.js');
        const { resolveVersion } = await import('../../registry/resolve.js');
        const { resolveArtifact } = await import('../../registry/artifacts.js');
        const { spawnSync } = await import('node:child_process');
        const src = openSource(url, ctx.cwd);
        try {
          const query = opts.stage ? `${name}#${opts.stage}` : opts.version ? `${name}@${opts.version}` : name;
          const version = resolveVersion(loadState(src.gitRoot), query);
          const decl = resolveArtifact(name, (p) => {
            const r = spawnSync('git', ['show', `${version.commit}:${p}`], { cwd: src.gitRoot, encoding: 'utf8' });
            return r.status === 0 ? r.stdout : undefined;
          });
          const got = await getFromSource(src, version.commit, { cwd: ctx.cwd, path: decl.repoPath, out: opts.out, force: opts.force, signal: ctx.signal });
          const result = { ...got, artifact: name, version: version.version, commit: version.commit };
          ctx.out.result(result, () => ctx.out.line(`Downloaded ${name} ${version.version} (${version.commit.slice(0, 7)}) to '${got.out}'`));
        } finally {
          src.close();
        }
      }),
    );
  examples(mget, ['mlpipe models get ../model-repo churn --stage prod -o model', 'mlpipe models get https://github.com/org/models.git churn --version v1.2.0']);

  models
    .command('stages')
    .description('stages in use (a stage counts while some active version holds it)')
    .action(
      action<[], Record<string, never>>(async (ctx) => {
        const { loadState, registryRoot } = await import('../../registry/load.js');
        const { usedStages } = await import('../../registry/state.js');
        const stages = usedStages(loadState(registryRoot(ctx.cwd)));
        ctx.out.result(stages, () => {
          for (const s of stages) ctx.out.line(s);
        });
      }),
    );

  const show = models
    .command('show')
    .description('the registry (latest version and stages per artifact), or the versions of NAME, NAME@latest, NAME@vX.Y.Z, NAME#STAGE')
    .argument('[query]', 'artifact name or shortcut')
    .option('--ref', 'print only the registration tag of the version(s) found')
    .option('--version', 'print only the version(s) found')
    .option('--plain', 'plain table (no borders)')
    .option('-d, --deprecated', 'include deprecated artifacts')
    .option('--metrics', 'per version: also the commit and the metrics (dvc.yaml metrics) at that commit')
    .action(action<[string | undefined], ShowOptions>(async (ctx, opts, query) => showCommand(ctx, opts, query)));
  examples(show, ['mlpipe models show', 'mlpipe models show churn --metrics', "mlpipe models show 'churn#prod' --ref", 'mlpipe models show churn@latest --version']);

  models
    .command('history')
    .description('the journal of registry events (registrations, assignments, ...), newest first')
    .argument('[name]', 'artifact name; all artifacts when omitted')
    .option('--plain', 'plain table (no borders)')
    .action(
      action<[string | undefined], { plain?: boolean }>(async (ctx, opts, name) => {
        const { loadState, registryRoot } = await import('../../registry/load.js');
        const { history, historyTable } = await import('../../registry/views.js');
        const { renderTable } = await import('../../registry/table.js');
        const state = loadState(registryRoot(ctx.cwd));
        ctx.out.result(history(state, name), () => {
          const t = historyTable(state, name);
          ctx.out.line(t.rows.length > 0 ? renderTable(t.headers, t.rows, opts.plain ? 'plain' : 'fancy') : 'Nothing found in the current workspace');
        });
      }),
    );

  models
    .command('check-ref')
    .description('what a registry tag records (nothing for a ref that is not an annotated registry tag)')
    .argument('<ref>', 'tag name, e.g. churn#prod#1')
    .action(
      action<[string], Record<string, never>>(async (ctx, _opts, ref) => {
        const { loadState, registryRoot } = await import('../../registry/load.js');
        const { checkRef, describeEvent } = await import('../../registry/views.js');
        const event = checkRef(loadState(registryRoot(ctx.cwd)), ref);
        ctx.out.result(event ?? null, () => {
          if (event) ctx.out.line(`✅ ${describeEvent(event)}`);
        });
      }),
    );
}

async function showCommand(ctx: CommandContext, opts: ShowOptions, query: string | undefined): Promise<void> {
  const { loadState, registryRoot } = await import('../../registry/load.js');
  const views = await import('../../registry/views.js');
  const { renderTable } = await import('../../registry/table.js');
  const root = registryRoot(ctx.cwd);
  const state = loadState(root);
  const o = { deprecated: opts.deprecated };
  if (query === undefined) {
    ctx.out.result(views.showRegistry(state, o), () => {
      const t = views.showRegistryTable(state, o);
      ctx.out.line(t.rows.length > 0 ? renderTable(t.headers, t.rows, opts.plain ? 'plain' : 'fancy') : 'Nothing found in the current workspace');
    });
    return;
  }
  if (opts.ref || opts.version) {
    // GTO prints one line per version found (nothing when none), for scripts and workflows
    const found = views.selectVersions(state, query, o).versions;
    const lines = found.map(({ version: v }) => (opts.ref ? (v.authoring.tag ?? v.commit) : v.version));
    ctx.out.result(lines, () => {
      for (const l of lines) ctx.out.line(l);
    });
    return;
  }
  if (opts.metrics) {
    const { listWithMetrics } = await import('../../registry/listing.js');
    const { metricsAt } = await import('../../pipeline/metrics-at.js');
    const listing = listWithMetrics(state, query, o, (commit) => metricsAt(ctx.cwd, root, commit));
    ctx.out.result(listing.json, () => ctx.out.line(listing.rows.length > 0 ? renderTable(listing.headers, listing.rows, opts.plain ? 'plain' : 'fancy') : 'Nothing found in the current workspace'));
    return;
  }
  ctx.out.result(views.showVersions(state, query, o), () => {
    const t = views.showVersionsTable(state, query, o);
    ctx.out.line(t.rows.length > 0 ? renderTable(t.headers, t.rows, opts.plain ? 'plain' : 'fancy') : 'Nothing found in the current workspace');
  });
}

/** --if-improves: the metric at REF against the metric at the commit of the version in the stage. */
async function improvement(ctx: CommandContext, name: string, ref: string, opts: RegisterOptions) {
  const { loadState, registryRoot } = await import('../../registry/load.js');
  const { resolveCommit } = await import('../../registry/git-tags.js');
  const { compareMetric } = await import('../../registry/improves.js');
  const { metricsAt } = await import('../../pipeline/metrics-at.js');
  const root = registryRoot(ctx.cwd);
  const artifact = loadState(root).artifacts.get(name);
  // Nothing in the stage yet (before the first promotion): compare with the latest registered
  // version, so that a run on main registers the first model and then only better ones, not one
  // version per push.
  const staged = artifact?.inStage(opts.thanStage);
  const baseline = staged ?? (artifact?.isActive ? artifact.latest(true) : undefined);
  const current = metricsAt(ctx.cwd, root, resolveCommit(root, ref));
  const verdict = compareMetric(opts.ifImproves as string, current, baseline ? metricsAt(ctx.cwd, root, baseline.commit) : null, {
    margin: opts.margin,
    higherIsBetter: !opts.lowerIsBetter,
  });
  const against = baseline ? (staged ? `${name}#${opts.thanStage}` : `${name}@${baseline.version}`) : null;
  return { ...verdict, against };
}
