import { readFileSync, writeFileSync } from 'node:fs';
import { decodeImage } from '../image/decode.js';
import { predictDecoded } from '../image/pipeline.js';
import { sideBySidePng } from '../image/render.js';
import { BEST_MODEL_PATH, loadModel } from '../io/model-file.js';
import { InputError } from '../util/errors.js';
import { runCli } from './run.js';

const usage = `npm run predict -- [--json] [--show] [--model PATH] FILE...

  Predicts the digit in each PNG, JPEG or BMP file with ${BEST_MODEL_PATH}.
  --json         one JSON object per line: {file, digit, confidence, probabilities} or {file, error}
  --show         also write FILE.seen.png: the input beside the 28×28 the model saw
  --model PATH   another model JSON
  The exit code is 1 if any file failed.`;

runCli(usage, { json: { type: 'boolean' }, show: { type: 'boolean' }, model: { type: 'string' } }, async ({ values, positionals }) => {
  if (positionals.length === 0) throw new RangeError(`no image files given\n\n${usage}`);
  const model = loadModel(values.model ?? BEST_MODEL_PATH);
  let failed = 0;
  for (const file of positionals) {
    try {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        throw new InputError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const img = await decodeImage(bytes);
      const p = predictDecoded(img, model);
      let shown = '';
      if (values.show && p.input) {
        writeFileSync(`${file}.seen.png`, sideBySidePng(img, p.input));
        shown = `${file}.seen.png`;
      }
      if (values.json) {
        console.log(JSON.stringify(p.digit === null ? { file, digit: null, reason: p.reason } : { file, digit: p.digit, confidence: p.confidence, probabilities: p.probabilities, ...(shown && { seen: shown }) }));
      } else {
        console.log(p.digit === null ? `${file}: no digit (${p.reason})` : `${file}: ${p.digit} (${(100 * p.confidence).toFixed(1)}%)${shown ? `  → ${shown}` : ''}`);
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failed++;
      if (values.json) console.log(JSON.stringify({ file, error: e.message }));
      else console.error(`${file}: error: ${e.message}`);
    }
  }
  return failed ? 1 : 0;
});
