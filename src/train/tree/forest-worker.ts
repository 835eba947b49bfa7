// Worker thread of fitForest(): grows the trees it is asked for (by number) on the shared data.
import { parentPort, workerData } from 'node:worker_threads';
import { type ForestJob, growForestTree } from './forest.js';

const job = workerData as ForestJob;
parentPort!.on('message', (t: number) => {
  const result = growForestTree(job, t);
  const { tree } = result;
  parentPort!.postMessage({ task: t, result }, [
    tree.feature.buffer,
    tree.threshold.buffer,
    tree.bin.buffer,
    tree.left.buffer,
    tree.right.buffer,
    tree.value.buffer,
    result.importance.buffer,
  ] as ArrayBuffer[]);
});
