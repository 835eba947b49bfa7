/**
 * A fitted decision tree as flat arrays (the layout ONNX's TreeEnsemble attributes use). Node 0 is
 * the root; a leaf has feature -1. A row goes left when x[feature] <= threshold (float32), which is
 * the same as bin <= bin[node] on binned training data.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  bin: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf outputs, `outputs` per node, already rounded to float32 (as stored in model.onnx). */
  value: Float64Array;
  outputs: number;
}

/** Grows a tree node by node; `finish()` returns the compact arrays. */
export class TreeBuilder {
  private feature: number[] = [];
  private threshold: number[] = [];
  private bin: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private value: number[] = [];

  constructor(readonly outputs: number) {}

  /** Adds a node (a leaf until split() is called on it) and returns its id. */
  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.bin.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let k = 0; k < this.outputs; k++) this.value.push(0);
    return this.feature.length - 1;
  }

  split(node: number, feature: number, bin: number, threshold: number, left: number, right: number): void {
    this.feature[node] = feature;
    this.bin[node] = bin;
    this.threshold[node] = threshold;
    this.left[node] = left;
    this.right[node] = right;
  }

  setValue(node: number, k: number, v: number): void {
    this.value[node * this.outputs + k] = Math.fround(v);
  }

  getValue(node: number, k: number): number {
    return this.value[node * this.outputs + k]!;
  }

  finish(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      bin: Uint8Array.from(this.bin),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      outputs: this.outputs,
    };
  }
}

/** The leaf a float32 row lands in. */
export function leafOf(tree: Tree, X: Float32Array | Float64Array, offset: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    node = X[offset + tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** The leaf of sample i in column-major binned data with n rows. */
export function leafOfBinned(tree: Tree, bins: Uint8Array, n: number, i: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    node = bins[tree.feature[node]! * n + i]! <= tree.bin[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}
