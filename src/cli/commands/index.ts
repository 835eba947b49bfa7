import type { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { registerDag } from './dag.js';
import { registerDoctor } from './doctor.js';
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
