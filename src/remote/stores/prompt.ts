import { createInterface } from 'node:readline';
import { MlpipeError } from '../../errors.js';

/**
 * Reads a secret typed on the terminal without echoing it (DVC's `ask_password`). Without a
 * terminal (CI, a pipe) there is nobody to ask: fail with what to configure instead.
 */
export function askOnTerminal(prompt: string, remote: string): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new MlpipeError('E_USAGE', `remote ${remote} asks for a password (ask_password) but there is no terminal`, {
      hint: `set it instead: \`mlpipe remote modify --local ${remote} password PASSWORD\`, or use a keyfile`,
    });
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Echo nothing of what is typed: readline writes through _writeToOutput.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(prompt)) process.stderr.write(prompt);
    };
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
