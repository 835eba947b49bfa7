// Worker thread of ThreadedEngine (hist-engine.ts): whenever the main thread announces a job in the
// shared control block, sums the histograms of features [fFrom, fTo) (then subtracts them from the
// parent's and finds the best split among them), or computes the training loss.
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type Loss, meanLoss } from './boosting-math.js';
import { CANDIDATE, JOB_HISTOGRAM } from './hist-engine.js';
import { type SplitRequest, type SplitRules, buildHistogram, finishNodeJob } from './histogram.js';

const { ctrl, bins, n, offsets, idx, og, oh, fFrom, fTo, port, raw, out, loss, K, y, w, rules, args } = workerData as {
  ctrl: Int32Array;
  bins: Uint8Array;
  n: number;
  offsets: Int32Array;
  idx: Uint32Array;
  og: Float64Array;
  oh: Float64Array;
  fFrom: number;
  fTo: number;
  port: MessagePort;
  raw: Float64Array;
  out: Float64Array;
  loss: Loss;
  K: number;
  y: Int32Array | Float64Array;
  w: Float64Array;
  rules: SplitRules;
  args: Float64Array;
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
  const kind = ctrl[6]!;
  if (kind === JOB_HISTOGRAM) {
    buildHistogram(slots[slot]!, offsets, bins, n, idx, ctrl[3]!, ctrl[4]!, og, oh, fFrom, fTo, ctrl[5] === 1);
    const requests: SplitRequest[] = [];
    for (let j = 0; j < ctrl[8]!; j++) requests.push({ slot: ctrl[9 + j]!, G: args[3 * j]!, H: args[3 * j + 1]!, count: args[3 * j + 2]! });
    finishNodeJob(slots, slot, ctrl[7]!, requests, rules, fFrom, fTo).forEach((c, j) => {
      const o = 1 + CANDIDATE * j;
      out[o + 1] = c ? c.feature : -1;
      if (c) {
        out[o] = c.gain;
        out[o + 2] = c.bin;
        out[o + 3] = c.gl;
        out[o + 4] = c.hl;
        out[o + 5] = c.nl;
      }
    });
  } else out[0] = meanLoss(loss, raw, y, w, K);
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
port.close();
