import { type Command, Option } from 'commander';
import { action, examples } from '../command.js';

interface ServeFlags {
  model: string;
  port: string;
  host: string;
  name?: string;
  token?: string;
  maxRows: string;
  maxBody: string;
  cors?: string;
  accessLog: boolean;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('serve a model over HTTP: MLflow scoring protocol (/invocations) and KServe V2 (/v2/models/NAME/infer)')
    .requiredOption('-m, --model <dir>', 'model folder (model.json + model.onnx) or a .onnx file')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--name <name>', "model name in the V2 routes (default: the model folder's name)")
    .addOption(new Option('--token <token>', 'require "Authorization: Bearer <token>" (health probes stay open)').env('MLPIPE_SERVE_TOKEN'))
    .option('--max-rows <n>', 'most rows per request', '10000')
    .option('--max-body <bytes>', 'largest request body in bytes', String(10 * 1024 * 1024))
    .option('--cors <origin>', 'allow cross-origin requests from this origin (off by default)')
    .option('--no-access-log', 'do not log one JSON line per request')
    .action(
      action<[], ServeFlags>(async (ctx, flags) => {
        const { MlpipeError } = await import('../../errors.js');
        let port: number;
        let maxRows: number;
        let bodyLimit: number;
        try {
          port = positiveInt(flags.port, '--port');
          maxRows = positiveInt(flags.maxRows, '--max-rows');
          bodyLimit = positiveInt(flags.maxBody, '--max-body');
        } catch (err) {
          throw new MlpipeError('E_USAGE', (err as Error).message);
        }
        const [{ serve }, { pino }, { version }] = await Promise.all([import('../../serve/serve.js'), import('pino'), import('../main.js')]);
        // Access and lifecycle logs are JSON lines on stdout (the server's output), buffered off the hot path.
        const destination = pino.destination({ dest: 1, sync: false });
        const logger = pino({ level: ctx.global.quiet ? 'warn' : 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
        const running = await serve({
          model: flags.model,
          port,
          host: flags.host,
          name: flags.name,
          token: flags.token,
          maxRows,
          bodyLimit,
          corsOrigin: flags.cors,
          serverVersion: version(),
          logger,
          accessLog: flags.accessLog,
          signal: ctx.signal,
          reloadOnSighup: true,
        });
        await running.closed;
        // Wait for buffered log lines (a sync flush could overtake a write in flight and reorder them).
        await new Promise<void>((resolve) => destination.flush(() => resolve()));
      }),
    );
  examples(cmd, [
    'mlpipe serve --model models/churn',
    'mlpipe serve --model models/churn --port 9000 --token "$TOKEN"',
    `curl -s localhost:8080/invocations -H 'content-type: application/json' -d '{"dataframe_records": [{"age": 42}]}'`,
  ]);
}
