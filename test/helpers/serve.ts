import { type ChildProcess, spawn } from 'node:child_process';
import { MLPIPE_BIN } from './cli.js';

/**
 * Starts the built `mlpipe --json remote serve ARGS` and resolves with its URL (read from its JSON
 * document). The child is pushed to `children`, for the caller's afterAll to stop.
 */
export function startServe(args: string[], children: ChildProcess[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(process.execPath, [MLPIPE_BIN, '--json', 'remote', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      try {
        resolve(JSON.parse(text).url);
      } catch {
        // not the whole document yet
      }
    });
    child.on('exit', (code) => reject(new Error(`remote serve exited with ${code}`)));
  });
}
