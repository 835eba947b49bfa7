import type { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { registerDoctor } from './doctor.js';
import { registerProfile } from './profile.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

/**
 * Every CLI command, in the order `mlpipe --help` lists them. Each module registers its flags and
 * lazily imports the library code it calls (see RegisterCommand).
 */
const COMMANDS: RegisterCommand[] = [registerDoctor, registerSchema, registerValidate, registerProfile];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
