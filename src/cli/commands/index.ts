import type { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { registerAdd } from './add.js';
import { registerCheckout } from './checkout.js';
import { registerCommit } from './commit.js';
import { registerConfig } from './config.js';
import { registerDag } from './dag.js';
import { registerDiff } from './diff.js';
import { registerDoctor } from './doctor.js';
import { registerDu } from './du.js';
import { registerEvaluate } from './evaluate.js';
import { registerExp } from './exp.js';
import { registerQueue } from './queue.js';
import { registerFetch } from './fetch.js';
import { registerFsck } from './fsck.js';
import { registerGc } from './gc.js';
import { registerGet } from './get.js';
import { registerInit } from './init.js';
import { registerLs } from './ls.js';
import { registerMetrics } from './metrics.js';
import { registerModels } from './models.js';
import { registerMove } from './move.js';
import { registerParams } from './params.js';
import { registerPlots } from './plots.js';
import { registerPredict } from './predict.js';
import { registerProfile } from './profile.js';
import { registerPull } from './pull.js';
import { registerPush } from './push.js';
import { registerRemote } from './remote.js';
import { registerRemove } from './remove.js';
import { registerRepro } from './repro.js';
import { registerSchema } from './schema.js';
import { registerServe } from './serve.js';
import { registerStage } from './stage.js';
import { registerStatus } from './status.js';
import { registerTrain } from './train.js';
import { registerUi } from './ui.js';
import { registerUnprotect } from './unprotect.js';
import { registerValidate } from './validate.js';

/**
 * Every CLI command, in the order `mlpipe --help` lists them. Each module registers its flags and
 * lazily imports the library code it calls (see RegisterCommand).
 */
const COMMANDS: RegisterCommand[] = [
  registerInit,
  registerAdd,
  registerStatus,
  registerDiff,
  registerCheckout,
  registerCommit,
  registerRemove,
  registerMove,
  registerUnprotect,
  registerLs,
  registerDu,
  registerGc,
  registerFsck,
  registerRemote,
  registerConfig,
  registerPush,
  registerPull,
  registerFetch,
  registerGet,
  registerRepro,
  registerStage,
  registerDag,
  registerParams,
  registerMetrics,
  registerPlots,
  registerExp,
  registerQueue,
  registerSchema,
  registerValidate,
  registerProfile,
  registerTrain,
  registerEvaluate,
  registerPredict,
  registerModels,
  registerServe,
  registerUi,
  registerDoctor,
];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
