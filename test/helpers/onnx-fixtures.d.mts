export type OnnxFixture = 'linear' | 'tree' | 'boosting' | 'forest';
export function linearOnnx(): Uint8Array;
export function treeOnnx(): Uint8Array;
export function treesOnnx(nTrees: number, depth: number, nFeatures: number, options?: { forest?: boolean; seed?: number }): Uint8Array;
export function makeOnnx(kind: OnnxFixture, out: string, ...args: number[]): void;
