import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, loadCommands } from '../../../src/cli/commands/index.js';
import { buildProgram } from '../../../src/cli/main.js';

// main() loads only the module of the command being run, found by name in this table: a name
// missing here would make its command "unknown" unless every module was loaded.
describe('the command table (commands/index.ts)', () => {
  it('names exactly the top-level commands each module registers, in help order', async () => {
    for (const entry of COMMANDS) {
      const program = new Command('mlpipe');
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual(entry.names);
    }
    const all = buildProgram({ commands: await loadCommands() });
    expect(all.commands.map((c) => c.name())).toEqual(COMMANDS.flatMap((c) => c.names));
    expect(all.commands).toHaveLength(39); // from 37 modules (get.ts registers get, import, update)
  });

  it('loads one module for a known name, and every module for none or an unknown one', async () => {
    const status = buildProgram({ commands: await loadCommands('status') });
    expect(status.commands.map((c) => c.name())).toEqual(['status']);
    const imp = buildProgram({ commands: await loadCommands('import') });
    expect(imp.commands.map((c) => c.name())).toEqual(['get', 'import', 'update']);
    expect(await loadCommands('stauts')).toHaveLength(COMMANDS.length);
    expect(await loadCommands()).toHaveLength(37);
  });
});
