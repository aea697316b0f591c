import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { decodePngFast } from '../src/codecs/png.js';
import type { Comparison } from './results.js';
import { canvasPng } from './server.js';

/**
 * The fast PNG path against pngjs, its reference: on the board's canvas PNG, and on every sample-set PNG
 * the fast path takes (written by pngjs with its adaptive filters, mostly Paeth). Time for some passes over
 * each set, and how many decode to identical pixels.
 */
export function benchPngDecode(samplesDir = 'data/samples'): Comparison[] {
  const samples = readdirSync(samplesDir)
    .filter((f) => f.endsWith('.png'))
    .map((f) => readFileSync(join(samplesDir, f)))
    .filter((b) => decodePngFast(b) !== null);
  return [
    compare(
      'png-decode-board',
      [Buffer.from(canvasPng())],
      500,
      'the 280×280 board PNG (RGBA, "Up" filter, as Chromium writes it)',
      'node:zlib inflate plus the kernels\' unfiltering (WebAssembly SIMD, "Up" 16 bytes at a time); pngjs still decodes every other PNG (palette, 16-bit, interlaced, tRNS) and names the damage in broken files',
    ),
    compare(
      'png-decode-samples',
      samples,
      2,
      `the ${samples.length} 8-bit sample-set PNGs`,
      'written by pngjs with adaptive filters, mostly Paeth, which is undone a byte at a time',
    ),
  ];
}

function compare(task: string, files: Buffer[], rounds: number, what: string, notes: string): Comparison {
  let identical = 0;
  for (const b of files) {
    const ours = decodePngFast(b)!;
    const ref = PNG.sync.read(b);
    if (ours.width === ref.width && ours.height === ref.height && Buffer.compare(Buffer.from(ours.data), ref.data) === 0) identical++;
  }
  const time = (decode: (b: Buffer) => unknown) => {
    for (const b of files) decode(b); // warm-up
    const start = performance.now();
    for (let r = 0; r < rounds; r++) for (const b of files) decode(b);
    return (performance.now() - start) / 1000;
  };
  // Alternate the two, twice, and keep each one's faster time: the machine is shared.
  const times = [0, 1].map(() => [time((b) => PNG.sync.read(b)), time(decodePngFast)] as const);
  const referenceSeconds = Math.min(times[0]![0], times[1]![0]);
  const oursSeconds = Math.min(times[0]![1], times[1]![1]);
  return {
    task,
    reference: 'pngjs',
    workload: `${rounds} passes over ${what}`,
    oursSeconds,
    referenceSeconds,
    speedup: referenceSeconds / oursSeconds,
    agreement: identical / files.length,
    agreementMeasure: 'fraction decoded to byte-identical RGBA',
    notes,
  };
}
