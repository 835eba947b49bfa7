import type { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { registerDag } from './dag.js';
import { registerDoctor } from './doctor.js';
import { registerInit } from './init.js';
import { registerAdd } from './add.js';
import { registerStatus } from './status.js';
import { registerDiff } from './diff.js';
import { registerCheckout } from './checkout.js';
import { registerCommit } from './commit.js';
import { registerRemove } from './remove.js';
import { registerMove } from './move.js';
import { registerGc } from './gc.js';
import { registerLs } from './ls.js';
import { registerDu } from './du.js';
import { registerFsck } from './fsck.js';
import { registerExp } from './exp.js';
import { registerMetrics } from './metrics.js';
import { registerParams } from './params.js';
import { registerPlots } from './plots.js';
import { registerRepro } from './repro.js';
import { registerStage } from './stage.js';

/**
 * Every CLI command, in the order `mlpipe --help` lists them. Each module registers its flags and
 * lazily imports the library code it calls (see RegisterCommand).
 */
const COMMANDS: RegisterCommand[] = [
  registerDoctor,
  registerInit,
  registerAdd,
  registerStatus,
  registerDiff,
  registerCheckout,
  registerCommit,
  registerRemove,
  registerMove,
  registerGc,
  registerLs,
  registerDu,
  registerFsck,
  registerRepro,
  registerStage,
  registerDag,
  registerParams,
  registerMetrics,
  registerPlots,
  registerExp,
];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
