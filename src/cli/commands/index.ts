import type { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { registerDoctor } from './doctor.js';
import { registerPredict } from './predict.js';
import { registerServe } from './serve.js';

/**
 * Every CLI command, in the order `mlpipe --help` lists them. Each module registers its flags and
 * lazily imports the library code it calls (see RegisterCommand).
 */
const COMMANDS: RegisterCommand[] = [registerDoctor, registerPredict, registerServe];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
