// Synthetic tabular data for bench/train.mjs: 20 Gaussian features (10 informative with
// interactions and non-linear terms, 10 noise), a binary target and a regression target from the
// same signal. Seeded, so both sides of a benchmark read the same file and every run writes the same bytes.
import { createWriteStream } from 'node:fs';

/** mulberry32: a small seeded PRNG, so every run generates the same bytes. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function writeSynthetic(path, rows, seed = 7) {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const out = createWriteStream(path);
  const F = 20;
  out.write(`${Array.from({ length: F }, (_, i) => `x${i}`).join(',')},y_class,y_reg\n`);
  const x = new Float64Array(F);
  let buffer = '';
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) x[f] = gauss();
    const signal = 1.5 * x[0] - 2 * x[1] + x[2] * x[3] + Math.sin(2 * x[4]) + 0.5 * x[5] * x[5] - 0.5 + 0.8 * x[6] - 0.6 * x[7] + 0.4 * x[8] * x[9];
    const yc = signal + gauss() > 0 ? 1 : 0;
    const yr = 10 * signal + 5 * gauss();
    buffer += `${Array.from(x, (v) => v.toFixed(5)).join(',')},${yc},${yr.toFixed(4)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((resolve) => out.on('finish', resolve));
}
