import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeImage } from '../codecs/decode.js';
import { readNumber, type NumberReading } from '../core/image/number.js';
import { predictDecoded } from '../core/image/pipeline.js';
import { sideBySidePng } from '../codecs/render.js';
import { readInput } from '../io/files.js';
import { BEST_MODEL_PATH, loadModel } from '../io/model-file.js';
import { InputError } from '../core/util/errors.js';
import { runCli } from './run.js';

const SEEN_DIR = 'seen';

const usage = `npm run predict -- [--json] [--number] [--show] [--out DIR] [--model PATH] FILE...

  Predicts the digit in each PNG, JPEG or BMP file with ${BEST_MODEL_PATH}.
  --json         one JSON object per line: {file, digit, confidence, probabilities} or {file, error}
  --number       read every digit in the image, left to right: {file, number, digits: [{digit, confidence, box}]}
  --show         also write NAME.seen.png into the --out folder: the input beside the 28×28 the model saw
  --out DIR      where --show writes (default ${SEEN_DIR}/)
  --model PATH   another model JSON
  The exit code is 1 if any file failed.`;

runCli(
  usage,
  { json: { type: 'boolean' }, number: { type: 'boolean' }, show: { type: 'boolean' }, out: { type: 'string' }, model: { type: 'string' } },
  async ({ values, positionals }) => {
    if (positionals.length === 0) throw new RangeError(`no image files given\n\n${usage}`);
    const model = loadModel(values.model ?? BEST_MODEL_PATH);
    const outDir = values.out ?? SEEN_DIR;
    let failed = 0;
    for (const file of positionals) {
      try {
        const img = await decodeImage(readInput(file, 'image'));
        if (values.number) {
          printNumber(file, readNumber(img, model), values.json === true);
          continue;
        }
        const p = predictDecoded(img, model);
        let shown = '';
        if (values.show && p.input) {
          mkdirSync(outDir, { recursive: true });
          shown = join(outDir, `${basename(file)}.seen.png`);
          writeFileSync(shown, sideBySidePng(img, p.input));
        }
        const seen = shown && { seen: shown };
        if (values.json) {
          const answer =
            p.digit !== null
              ? { digit: p.digit, confidence: p.confidence, probabilities: p.probabilities, ...seen }
              : p.guess !== null
                ? {
                    digit: null,
                    reason: p.reason,
                    ...(p.number !== undefined && { number: p.number }),
                    guess: p.guess,
                    confidence: p.confidence,
                    probabilities: p.probabilities,
                    ...seen,
                  }
                : { digit: null, reason: p.reason };
          console.log(JSON.stringify({ file, ...answer }));
        } else {
          const arrow = shown ? `  → ${shown}` : '';
          if (p.digit !== null) console.log(`${file}: ${p.digit} (${(100 * p.confidence).toFixed(1)}%)${arrow}`);
          else if (p.number !== undefined) console.log(`${file}: this looks like a number: ${p.number} (read it with --number)${arrow}`);
          else if (p.guess !== null) console.log(`${file}: not a digit (best guess ${p.guess}, ${(100 * p.confidence).toFixed(1)}%)${arrow}`);
          else console.log(`${file}: no digit (${p.reason})`);
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        failed++;
        if (values.json) console.log(JSON.stringify({ file, error: e.message }));
        else console.error(`${file}: error: ${e.message}`);
      }
    }
    return failed ? 1 : 0;
  },
);

/** One line per file: JSON {file, number, digits}, or "file: 42 (4 99.1%, 2 97.0%)". */
function printNumber(file: string, r: NumberReading, json: boolean): void {
  const digits = r.digits.map((d) =>
    d.digit !== null
      ? { digit: d.digit, confidence: d.confidence, box: d.box }
      : { digit: null, reason: d.reason, guess: d.guess, confidence: d.confidence, box: d.box },
  );
  if (json) console.log(JSON.stringify({ file, number: r.number, digits, ...(r.reason !== undefined && { reason: r.reason }) }));
  else if (r.reason !== undefined) console.log(`${file}: no digits (${r.reason})`);
  else {
    const parts = r.digits.map((d) => (d.digit !== null ? `${d.digit} ${(100 * d.confidence).toFixed(1)}%` : `not a digit (best guess ${d.guess})`));
    console.log(`${file}: ${r.number || 'no digits'} (${parts.join(', ')})`);
  }
}
