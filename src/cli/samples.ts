import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleSeed, STYLES } from '../samples/styles.js';
import { Random } from '../core/util/random.js';
import { intOption, runCli } from './run.js';

const usage = `npm run samples -- [--out DIR] [--per-style N] [--seed S]

  Regenerates the user-style sample set: every style × every digit × N, with labels.csv
  (file,label,style,group). Default: data/samples, 3 per style and digit (360 images), seed 2026.`;

runCli(usage, { out: { type: 'string' }, 'per-style': { type: 'string' }, seed: { type: 'string' } }, ({ values }) => {
  const out = values.out ?? 'data/samples';
  const perStyle = intOption(values['per-style'], 'per-style', 3);
  const seed = intOption(values.seed, 'seed', 2026);
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) if (/\.(png|jpg|bmp|csv)$/.test(f)) rmSync(join(out, f));
  const rows = ['file,label,style,group'];
  STYLES.forEach((style, s) => {
    for (let digit = 0; digit < 10; digit++) {
      for (let k = 0; k < perStyle; k++) {
        const rng = new Random(sampleSeed(seed, s, digit, k));
        const { bytes, ext } = style.make(digit, rng);
        const file = `${style.name}-${digit}-${k}.${ext}`;
        writeFileSync(join(out, file), bytes);
        rows.push(`${file},${digit},${style.name},${style.group}`);
      }
    }
  });
  writeFileSync(join(out, 'labels.csv'), `${rows.join('\n')}\n`);
  console.log(`wrote ${rows.length - 1} images in ${STYLES.length} styles to ${out} (labels in ${join(out, 'labels.csv')})`);
});
