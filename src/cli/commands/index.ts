import type { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { registerDoctor } from './doctor.js';
import { registerFetch } from './fetch.js';
import { registerPull } from './pull.js';
import { registerPush } from './push.js';
import { registerRemote } from './remote.js';

/**
 * Every CLI command, in the order `mlpipe --help` lists them. Each module registers its flags and
 * lazily imports the library code it calls (see RegisterCommand).
 */
const COMMANDS: RegisterCommand[] = [registerDoctor, registerRemote, registerPush, registerPull, registerFetch];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
