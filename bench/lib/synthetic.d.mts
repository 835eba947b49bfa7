// Types for synthetic.mjs, which tests import too (one seeded generator for benchmarks and tests).
export function mulberry32(seed: number): () => number;
export function writeSynthetic(path: string, rows: number, seed?: number): Promise<void>;
