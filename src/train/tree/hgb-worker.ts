// Worker thread of ThreadedEngine (hist-engine.ts): sums the histograms of features [fFrom, fTo)
// whenever the main thread announces a job in the shared control block.
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { buildHistogram } from './histogram.js';

const { ctrl, bins, n, offsets, idx, og, oh, fFrom, fTo, unitHessian, port } = workerData as {
  ctrl: Int32Array;
  bins: Uint8Array;
  n: number;
  offsets: Int32Array;
  idx: Uint32Array;
  og: Float64Array;
  oh: Float64Array;
  fFrom: number;
  fTo: number;
  unitHessian: boolean;
  port: MessagePort;
};
const slots: Float64Array[] = [];
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { slot, hist } = m.message as { slot: number; hist: Float64Array };
    slots[slot] = hist;
  }
  const slot = ctrl[2]!;
  if (slot < 0) break;
  buildHistogram(slots[slot]!, offsets, bins, n, idx, ctrl[3]!, ctrl[4]!, og, oh, fFrom, fTo, ctrl[5] === 1, unitHessian);
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
port.close();
