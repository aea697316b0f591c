import { buildWeb, WEB_BUILD } from '../server/web-build.js';
import { runCli } from './run.js';

const usage = `npm run build

  Bundles the pages' TypeScript (web/src) and the core they share with the server into ${WEB_BUILD}.
  npm start and npm test run it themselves.`;

runCli(usage, {}, async () => {
  const { files, pageBytes } = await buildWeb();
  console.log(`built ${files.length} files into ${WEB_BUILD}`);
  for (const [page, bytes] of Object.entries(pageBytes))
    console.log(`  ${page}: ${(bytes / 1000).toFixed(1)} kB of minified JavaScript, shared chunks included`);
});
