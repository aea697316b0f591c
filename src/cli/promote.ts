import { BEST_MODEL_PATH, promoteModel } from '../io/model-file.js';
import { InputError } from '../core/util/errors.js';
import { runCli } from './run.js';

const usage = `npm run promote -- PATH

  Serves the model file PATH: checks that it loads, copies it over ${BEST_MODEL_PATH} and says what it
  replaced. Nothing else writes ${BEST_MODEL_PATH} but a full npm run bench, which promotes its choice the same way.`;

runCli(usage, {}, ({ positionals }) => {
  if (positionals.length !== 1) throw new InputError(`give one model file to serve\n\n${usage}`);
  const { replaced, now, same } = promoteModel(positionals[0]!);
  if (same) return console.log(`${BEST_MODEL_PATH} is already ${now}: nothing changed`);
  console.log(`${BEST_MODEL_PATH} was ${replaced ?? 'absent'}\n${BEST_MODEL_PATH} is now ${now}`);
});
