// Piscina worker entry for row-parallel numeric tasks. Worker threads do not inherit tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./parallel-tasks.ts');

export default runTask;
