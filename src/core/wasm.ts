import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The WebAssembly modules `npm run build` compiles from src/ .wat files into dist/
 * (scripts/build-wasm.mjs): the gradient-boosting histogram loops, CART's node loops, the batch tree
 * walk and the float32 text of batch predictions.
 */
export type WasmName = 'train/tree/histogram' | 'train/tree/cart' | 'model/tree-walk' | 'serve/float32-text';

const compiled = new Map<WasmName, WebAssembly.Module | null>();

/**
 * The compiled module, or null when the build has none (built without wabt) or WebAssembly is off
 * (--jitless); callers then run the same work in JavaScript or onnxruntime.
 */
export function wasmModule(name: WasmName): WebAssembly.Module | null {
  const known = compiled.get(name);
  if (known !== undefined) return known;
  let module: WebAssembly.Module | null = null;
  // From dist/core, beside the other compiled modules; from src/core (tests), the built one.
  const file = [new URL(`../${name}.wasm`, import.meta.url), new URL(`../../dist/${name}.wasm`, import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((path) => existsSync(path));
  if (file && typeof WebAssembly === 'object') {
    try {
      module = new WebAssembly.Module(readFileSync(file));
    } catch {
      // A damaged file: the caller's fallback does the same work.
    }
  }
  compiled.set(name, module);
  return module;
}
