// Piscina worker entry for growing trees. Worker threads do not inherit tsx's loader, so register it first.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const { growTree } = await import('./forest-tree.ts');
const { binned, labels, levelLow, levelHigh, ...sizes } = workerData;
const data = { ...sizes, binned: new Uint8Array(binned), labels: new Uint8Array(labels), levelLow: new Uint8Array(levelLow), levelHigh: new Uint8Array(levelHigh) };

export default function ({ options, seed }) {
  return growTree(data, options, seed);
}
