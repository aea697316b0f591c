import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { strToU8, zipSync } from 'fflate';
import { parseDigitCsv, readCsvZip, toCsv, writeCsvZip } from '../../src/data/csv.js';
import { framesEqual, head, makeFrame } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { DataError } from '../../src/core/util/errors.js';

const test = suite('CSV zip (course layout)');
const mnist = loadMnist();
const train = head(mnist.train, 300);
const testFrame = head(mnist.test, 100);

const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
const row = (label: number, fill = 0) => [label, ...new Array(784).fill(fill)].join(',');

test('MNIST round-trips through the zip into an identical frame', () => {
  const zip = writeCsvZip({ 'train.csv': train, 'test.csv': testFrame });
  const { frames } = readCsvZip('mnist_data.zip', zip);
  assert.equal([...frames.keys()], ['test.csv', 'train.csv']);
  assert.ok(framesEqual(frames.get('train.csv')!, train));
  assert.ok(framesEqual(frames.get('test.csv')!, testFrame));
});

test('headerless rows with the label first load as labelled', () => {
  const text = `${[row(3, 1), row(9, 255)].join('\r\n')}\r\n`;
  const f = parseDigitCsv(strToU8(text), 'plain.csv');
  assert.is(f.n, 2);
  assert.equal(Array.from(f.labels!), [3, 9]);
  assert.is(f.pixels[784 + 5], 255);
});

test("Kaggle's unlabelled test.csv (784 columns) loads for prediction", () => {
  const unlabelled = makeFrame(testFrame.pixels.slice(0, 784 * 5), null);
  const f = parseDigitCsv(toCsv(unlabelled), 'test.csv');
  assert.is(f.labels, null);
  assert.ok(framesEqual(f, unlabelled));
});

const bad: [string, string, RegExp][] = [
  ['wrong column count', `${header}\n${row(1)}\n1,2,3\n`, /bad\.csv \(row 3\): 3 columns, expected 785/],
  ['a non-numeric cell', `${header}\n${row(1).replace(/,0,0$/, ',0,x7')}\n`, /bad\.csv \(row 2, column 785\): non-numeric cell "x7"/],
  ['a value outside 0..255', `${header}\n${row(1).replace(/^1,0/, '1,256')}\n`, /row 2, column 2\): value 256 is outside 0\.\.255/],
  ['a label outside 0..9', `${header}\n${row(10)}\n`, /row 2, column 1\): label 10 is outside 0\.\.9/],
  ['an empty cell', `${header}\n${row(1).replace(/^1,0,/, '1,,')}\n`, /row 2, column 2\): empty cell/],
  ['a misnamed header column', `${header.replace('pixel7,', 'pixel70,')}\n${row(1)}\n`, /row 1, column 9\): header column "pixel70" should be "pixel7"/],
  ['a header and no rows', `${header}\n`, /no data rows/],
];
for (const [name, text, message] of bad) {
  test(`${name} is an error naming file, row and column`, () => {
    assert.throws(
      () => parseDigitCsv(strToU8(text), 'bad.csv'),
      (e: Error) => e instanceof DataError && message.test(e.message),
    );
  });
}

test('a zip with no CSV is refused', () => {
  const zip = zipSync({ 'readme.txt': strToU8('hello') });
  assert.throws(() => readCsvZip('empty.zip', zip), /empty\.zip: the zip holds no \.csv file/);
});

test('bytes that are not a zip are refused', () => {
  assert.throws(() => readCsvZip('fake.zip', strToU8('not a zip at all')), /fake\.zip: not a readable zip/);
});

test.run();
