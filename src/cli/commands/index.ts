import type { RegisterCommand } from '../command.js';

/**
 * Every CLI command, in the order `mlpipe --help` lists them: the top-level names each module
 * registers, and the module, loaded on demand. `mlpipe status` loads and registers status.ts alone:
 * all of them (37 modules) cost about 20 ms of CPU at every start-up. Each module registers its flags and
 * lazily imports the library code it calls (see RegisterCommand). The names are checked against what
 * each module registers by test/unit/cli/commands-table.test.ts.
 */
export const COMMANDS: readonly { names: readonly string[]; load: () => Promise<RegisterCommand> }[] = [
  { names: ['init'], load: async () => (await import('./init.js')).registerInit },
  { names: ['add'], load: async () => (await import('./add.js')).registerAdd },
  { names: ['status'], load: async () => (await import('./status.js')).registerStatus },
  { names: ['diff'], load: async () => (await import('./diff.js')).registerDiff },
  { names: ['checkout'], load: async () => (await import('./checkout.js')).registerCheckout },
  { names: ['commit'], load: async () => (await import('./commit.js')).registerCommit },
  { names: ['remove'], load: async () => (await import('./remove.js')).registerRemove },
  { names: ['move'], load: async () => (await import('./move.js')).registerMove },
  { names: ['unprotect'], load: async () => (await import('./unprotect.js')).registerUnprotect },
  { names: ['ls'], load: async () => (await import('./ls.js')).registerLs },
  { names: ['du'], load: async () => (await import('./du.js')).registerDu },
  { names: ['gc'], load: async () => (await import('./gc.js')).registerGc },
  { names: ['fsck'], load: async () => (await import('./fsck.js')).registerFsck },
  { names: ['remote'], load: async () => (await import('./remote.js')).registerRemote },
  { names: ['config'], load: async () => (await import('./config.js')).registerConfig },
  { names: ['push'], load: async () => (await import('./push.js')).registerPush },
  { names: ['pull'], load: async () => (await import('./pull.js')).registerPull },
  { names: ['fetch'], load: async () => (await import('./fetch.js')).registerFetch },
  { names: ['get', 'import', 'update'], load: async () => (await import('./get.js')).registerGet },
  { names: ['repro'], load: async () => (await import('./repro.js')).registerRepro },
  { names: ['stage'], load: async () => (await import('./stage.js')).registerStage },
  { names: ['dag'], load: async () => (await import('./dag.js')).registerDag },
  { names: ['params'], load: async () => (await import('./params.js')).registerParams },
  { names: ['metrics'], load: async () => (await import('./metrics.js')).registerMetrics },
  { names: ['plots'], load: async () => (await import('./plots.js')).registerPlots },
  { names: ['exp'], load: async () => (await import('./exp.js')).registerExp },
  { names: ['queue'], load: async () => (await import('./queue.js')).registerQueue },
  { names: ['schema'], load: async () => (await import('./schema.js')).registerSchema },
  { names: ['validate'], load: async () => (await import('./validate.js')).registerValidate },
  { names: ['profile'], load: async () => (await import('./profile.js')).registerProfile },
  { names: ['train'], load: async () => (await import('./train.js')).registerTrain },
  { names: ['evaluate'], load: async () => (await import('./evaluate.js')).registerEvaluate },
  { names: ['predict'], load: async () => (await import('./predict.js')).registerPredict },
  { names: ['models'], load: async () => (await import('./models.js')).registerModels },
  { names: ['serve'], load: async () => (await import('./serve.js')).registerServe },
  { names: ['ui'], load: async () => (await import('./ui.js')).registerUi },
  { names: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctor },
];

/**
 * The register functions for the command named `name` (the first operand), or for every command
 * when it names none: `mlpipe`, `--help`, `help X` and an unknown name (whose error suggests the
 * nearest names) need them all.
 */
export async function loadCommands(name?: string): Promise<RegisterCommand[]> {
  const one = name === undefined ? undefined : COMMANDS.find((c) => c.names.includes(name));
  return Promise.all((one ? [one] : COMMANDS).map((c) => c.load()));
}
