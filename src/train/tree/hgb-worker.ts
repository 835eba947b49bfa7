// Worker thread of ThreadedEngine (hist-engine.ts): whenever the main thread announces a histogram,
// claims chunks of its features and sums them, until none is left (protocol in hist-jobs.ts).
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { END, IDENTITY, SLOT, START, STOP, WAKE, chunkDone, claim, currentJob } from './hist-jobs.js';
import type { WasmShare } from './hist-engine.js';
import { WasmHistogramKernel } from './hist-wasm.js';
import { buildHistogram } from './histogram.js';

const { ctrl, wasm, bins, n, offsets, idx, og, oh, bounds, unitHessian, port } = workerData as {
  ctrl: Int32Array;
  /** Set when the main thread runs the WebAssembly loop: this thread runs it in the same memory. */
  wasm: WasmShare | null;
  bins: Uint8Array;
  n: number;
  offsets: Int32Array;
  idx: Uint32Array;
  og: Float64Array;
  oh: Float64Array;
  bounds: Int32Array;
  unitHessian: boolean;
  port: MessagePort;
};
const chunks = bounds.length - 1;
const kernel = wasm ? new WasmHistogramKernel(wasm.module, wasm.memory, wasm.layout) : null;
const slots: Float64Array[] = [];
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, WAKE, seen);
  seen = Atomics.load(ctrl, WAKE);
  if (Atomics.load(ctrl, STOP) === 1) break;
  // The job may be a later one than the wake-up was for; a job that is over gives no claim.
  const job = currentJob(ctrl);
  let c = claim(ctrl, job, chunks);
  if (c < 0) continue;
  // Holding a claim, the job cannot end, so its fields are stable; its slot was posted before it.
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { slot, hist } = m.message as { slot: number; hist: Float64Array };
    slots[slot] = hist;
  }
  const hist = slots[ctrl[SLOT]!]!;
  const start = ctrl[START]!;
  const end = ctrl[END]!;
  const identity = ctrl[IDENTITY] === 1;
  for (; c >= 0; c = claim(ctrl, job, chunks)) {
    const [fFrom, fTo] = [bounds[c]!, bounds[c + 1]!];
    if (kernel) kernel.sum(hist, start, end, fFrom, fTo, identity, unitHessian);
    else buildHistogram(hist, offsets, bins, n, idx, start, end, og, oh, fFrom, fTo, identity, unitHessian);
    chunkDone(ctrl, chunks);
  }
}
port.close();
