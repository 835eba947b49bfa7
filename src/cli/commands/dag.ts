import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface DagOptions {
  mermaid?: boolean;
  dot?: boolean;
  md?: boolean;
}

export function registerDag(program: Command): void {
  const cmd = program
    .command('dag [stage]')
    .description('show the pipeline graph of dvc.yaml (a stage and its upstream, or all stages)')
    .option('--mermaid', 'print a Mermaid flowchart')
    .option('--md', 'wrap the Mermaid flowchart in a markdown code block')
    .option('--dot', 'print Graphviz dot')
    .action(
      action<[string | undefined], DagOptions>(async (ctx, opts, stage) => {
        const { dag } = await import('../../pipeline/dag.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const format = opts.dot ? 'dot' : opts.mermaid || opts.md ? 'mermaid' : 'text';
        const result = dag({ root: requireRoot(ctx.cwd), target: stage, format });
        ctx.out.result({ stages: result.stages, edges: result.edges }, () => {
          ctx.out.line(opts.md ? `\`\`\`mermaid\n${result.rendered}\n\`\`\`` : result.rendered);
        });
      }),
    );
  examples(cmd, ['mlpipe dag', 'mlpipe dag train --mermaid', 'mlpipe dag --dot | dot -Tsvg > dag.svg']);
}
