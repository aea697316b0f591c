import { buildWeb, WEB_BUILD } from '../server/web-build.js';
import { runCli } from './run.js';

const usage = `npm run build

  Bundles the pages' TypeScript (web/src) and the core they share with the server into ${WEB_BUILD}.
  npm start and npm test run it themselves.`;

runCli(usage, {}, async () => {
  const files = await buildWeb();
  console.log(`built ${files.length} files into ${WEB_BUILD}`);
});
