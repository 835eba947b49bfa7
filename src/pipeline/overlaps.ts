import { MlpipeError } from '../errors.js';
import type { Stage } from './stage.js';

/**
 * Checks that `repro` (and `dag`) make before anything is touched. A stage runs by deleting its
 * outputs and then running its command, so an output that is also the stage's own dependency (`sort
 * a.txt -o a.txt`) would be deleted, never cached, before the command fails on it. DVC refuses such a
 * stage with the message below (fixtures/dvc/cli-exit-codes: `dvc repro` and `dvc dag`); `status`
 * still reports it, as DVC's does.
 */
export function checkDepsNotOutputs(stages: readonly Stage[]): void {
  for (const stage of stages) {
    const outs = new Set(stage.outs.map((o) => o.path));
    const same = stage.deps.filter((d) => outs.has(d.path)).map((d) => d.path);
    if (same.length === 0) continue;
    throw new MlpipeError('E_PIPELINE', `Same item(s) are defined as both a dependency and an output in stage: ${stage.name}.`, {
      expected: 'outputs that are not also dependencies of the same stage',
      received: same.join(', '),
      hint: `write the result to a new path (for example \`${same[0]}.out\`) and list that under outs`,
      data: { stage: stage.name, paths: same },
    });
  }
}

/**
 * A stage output inside (or around) data tracked by a `.dvc` file would be tracked twice, and running
 * the stage would delete part of the tracked folder: E_CONFLICT, as DVC's OverlappingOutputPathsError.
 */
export function checkTrackedOverlaps(stages: readonly Stage[], tracked: readonly { path: string; dvcFile: string }[]): void {
  for (const stage of stages) {
    for (const out of stage.outs) {
      const other = tracked.find((t) => t.path === out.path || out.path.startsWith(`${t.path}/`) || t.path.startsWith(`${out.path}/`));
      if (!other) continue;
      throw new MlpipeError('E_CONFLICT', `output '${out.path}' of stage '${stage.name}' overlaps '${other.path}', which ${other.dvcFile} tracks`, {
        expected: 'stage outputs apart from data tracked by .dvc files',
        received: `${out.path} (stage ${stage.name}), ${other.path} (${other.dvcFile})`,
        hint: `write the output elsewhere, or stop tracking the data with \`mlpipe remove ${other.dvcFile}\``,
        data: { stage: stage.name, output: out.path, tracked: other.path, dvcFile: other.dvcFile },
      });
    }
  }
}
