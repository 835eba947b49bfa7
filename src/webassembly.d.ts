// The members of the WebAssembly global that mlpipe uses (train/tree/hist-wasm.ts). TypeScript
// declares WebAssembly only in its DOM library, which this project does not load (Node 20's
// @types/node has none); interfaces, so that they merge with other partial declarations
// (esbuild's types declare an empty WebAssembly.Module).
declare global {
  namespace WebAssembly {
    interface Module {}
    var Module: { new (bytes: Uint8Array): Module };
    interface Memory {
      readonly buffer: ArrayBufferLike;
      grow(pages: number): number;
    }
    var Memory: { new (descriptor: { initial: number; maximum?: number; shared?: boolean }): Memory };
    interface Instance {
      readonly exports: Record<string, unknown>;
    }
    var Instance: { new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance };
  }
}

export {};
