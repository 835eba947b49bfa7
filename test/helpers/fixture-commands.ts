import { readFileSync } from 'node:fs';

/** One command of a fixture's `commands` file: the command line, its output and exit code. */
export interface FixtureCommand {
  cmd: string;
  out: string;
  exit: number;
}

/** Parses a `commands` file written by the fixture generator (`$ cmd`, output, `(exit N)`). */
export function readFixtureCommands(path: string): FixtureCommand[] {
  const blocks: FixtureCommand[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('$ ')) blocks.push({ cmd: line.slice(2), out: '', exit: 0 });
    else if (blocks.length > 0) {
      const b = blocks[blocks.length - 1] as FixtureCommand;
      const m = /^\(exit (\d+)\)$/.exec(line);
      if (m) b.exit = Number(m[1]);
      else b.out += `${line}\n`;
    }
  }
  for (const b of blocks) b.out = b.out.replace(/\n+$/, '\n');
  return blocks;
}

/** The outputs of every run of `cmd`, in order. */
export function outputsOf(commands: FixtureCommand[], cmd: string): FixtureCommand[] {
  return commands.filter((c) => c.cmd === cmd);
}
