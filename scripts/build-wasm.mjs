#!/usr/bin/env node
// Compiles the WebAssembly text files of src/ (the gradient-boosting histogram loops,
// src/train/tree/histogram.wat; the batch tree walk, src/model/tree-walk.wat; the float32 text of
// batch predictions, src/serve/float32-text.wat) into .wasm files beside their compiled modules in
// dist/, with wabt, a dev dependency. Without wabt (a build without dev dependencies) nothing is
// written and mlpipe does the same work in JavaScript (src/train/tree/hist-wasm.ts,
// src/serve/float32-text.ts) or onnxruntime (src/model/wasm-forest.ts): the same results, slower.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['train/tree/histogram.wat', 'train/tree/cart.wat', 'model/tree-walk.wat', 'serve/float32-text.wat'];
const outputs = sources.map((file) => join(root, 'dist', file.replace(/\.wat$/, '.wasm')));

let wabt;
try {
  wabt = await (await import('wabt')).default();
} catch {
  for (const out of outputs) rmSync(out, { force: true });
  console.warn('build-wasm: wabt is not installed; mlpipe runs its WebAssembly loops in JavaScript or onnxruntime instead');
  process.exit(0);
}
sources.forEach((file, i) => {
  const text = readFileSync(join(root, 'src', file), 'utf8');
  // threads: the memory is shared with the histogram worker thread; simd: two doubles per
  // instruction where the lanes are independent (histogram subtraction).
  const module = wabt.parseWat(file, text, { threads: true, bulk_memory: true, simd: true });
  try {
    const { buffer } = module.toBinary({});
    // Validated by the engine that runs it (wabt's validator ignores the threads feature).
    new WebAssembly.Module(buffer);
    mkdirSync(dirname(outputs[i]), { recursive: true });
    writeFileSync(outputs[i], buffer);
  } finally {
    module.destroy();
  }
});
