import { describe, expect, it } from 'vitest';
import { CONTROL_INTS, DONE, chunkBounds, chunkDone, claim, currentJob, publish } from '../../../src/train/tree/hist-jobs.js';

describe('histogram job protocol', () => {
  it('cuts features into fours while more than four are left, then pairs and a single', () => {
    expect(Array.from(chunkBounds(20))).toEqual([0, 4, 8, 12, 16, 18, 20]);
    expect(Array.from(chunkBounds(5))).toEqual([0, 4, 5]);
    expect(Array.from(chunkBounds(4))).toEqual([0, 2, 4]);
    expect(Array.from(chunkBounds(1))).toEqual([0, 1]);
    // Very wide data: at most 1,023 chunks, covering every feature once.
    const wide = chunkBounds(100_000);
    expect(wide.length - 1).toBeLessThanOrEqual(1016);
    expect(Array.from(chunkBounds(4064).subarray(-3))).toEqual([4060, 4062, 4064]);
    expect(chunkBounds(4065).length - 1).toBe(509);
    expect(wide[0]).toBe(0);
    expect(wide[wide.length - 1]).toBe(100_000);
    for (let i = 1; i < wide.length; i++) expect(wide[i]!).toBeGreaterThan(wide[i - 1]!);
  });

  it('hands out each chunk of the current job once, and nothing to a stale job', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
    publish(ctrl, 5);
    expect(currentJob(ctrl)).toBe(5);
    expect([claim(ctrl, 5, 3), claim(ctrl, 5, 3), claim(ctrl, 5, 3), claim(ctrl, 5, 3)]).toEqual([0, 1, 2, -1]);
    chunkDone(ctrl, 3);
    expect(ctrl[DONE]).toBe(1);
    // A thread that read job 5 before job 6 was published gets nothing from job 6.
    publish(ctrl, 6);
    expect(ctrl[DONE]).toBe(0);
    expect(claim(ctrl, 5, 3)).toBe(-1);
    expect(claim(ctrl, 6, 3)).toBe(0);
    // The largest job number still fits: CLAIM stays a positive int32.
    publish(ctrl, 2 ** 21 - 1);
    expect(currentJob(ctrl)).toBe(2 ** 21 - 1);
    expect(claim(ctrl, 2 ** 21 - 1, 1023)).toBe(0);
  });
});
