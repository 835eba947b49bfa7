import { type Command, Option } from 'commander';
import { version } from '../../version.js';
import { action, examples } from '../command.js';
import { integer, port, size } from '../options.js';

interface ServeFlags {
  model: string;
  port: number;
  host: string;
  name?: string;
  token?: string;
  maxRows: number;
  maxBody: number;
  cors?: string;
  accessLog: boolean;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('serve a model over HTTP: MLflow scoring protocol (/invocations) and KServe V2 (/v2/models/NAME/infer)')
    .requiredOption('-m, --model <dir>', 'model folder (model.json + model.onnx) or a .onnx file')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', port, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--name <name>', "model name in the V2 routes (default: the model folder's name)")
    .addOption(new Option('--token <token>', 'require "Authorization: Bearer <token>" (health probes stay open)').env('MLPIPE_SERVE_TOKEN'))
    .option('--max-rows <n>', 'most rows per request', integer({ min: 1 }), 10000)
    .option('--max-body <size>', 'largest request body, in bytes or e.g. 10MiB', size({ min: 1 }), 10 * 1024 * 1024)
    .option('--cors <origin>', 'allow cross-origin requests from this origin (off by default)')
    .option('--no-access-log', 'do not log one JSON line per request')
    .action(
      action<[], ServeFlags>(async (ctx, flags) => {
        const [{ serve }, { pino }] = await Promise.all([import('../../serve/serve.js'), import('pino')]);
        // Access and lifecycle logs are JSON lines on stdout (the server's output), buffered off the hot path.
        const destination = pino.destination({ dest: 1, sync: false });
        const logger = pino({ level: ctx.global.quiet ? 'warn' : 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
        const running = await serve({
          model: flags.model,
          port: flags.port,
          host: flags.host,
          name: flags.name,
          token: flags.token,
          maxRows: flags.maxRows,
          bodyLimit: flags.maxBody,
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
