import { CLASSES, PIXELS } from '../frame.js';

/**
 * A picture of what a model learned: 28×28 tiles, each a 784-long vector. Models make their own (the MLP its
 * first-layer units, the forest its split map…); the inspector draws them (src/eval/visuals.ts).
 */
export interface Picture {
  title: string;
  caption: string;
  /** 'signed': blue positive, red negative, each tile scaled by its largest magnitude. 'ink': dark is high. */
  style: 'signed' | 'ink';
  /** Tiles in all; a person may ask for fewer. */
  available: number;
  /** Orders a person may choose, the default first, each with what it means. */
  orders: readonly { name: string; label: string }[];
  /**
   * The first `count` tiles in that order (or about as many, laid out in `columns`), each with an optional
   * short label (digits, '.', '%', '-').
   */
  tiles(count: number, order: string): { vectors: Float32Array[]; labels?: string[]; columns?: number };
}

/** Tiles the inspector shows unless asked for more or fewer. */
export const DEFAULT_TILES = 48;

/** What a picture of an MLP's units reads: its input size and its dense layers' weights (row-major, in × out). */
export interface DenseLayers {
  readonly inputSize: number;
  readonly layers: readonly { readonly w: Float32Array; readonly outSize: number }[];
}

/**
 * The first layer of an MLP on pixels: the weights into each hidden unit. Ordered by their weight norm or,
 * when the next layer is the output, grouped by the output each unit pushes up most (its label).
 */
export function unitsPicture(net: DenseLayers, title: string, outputs: string, labelled = ''): Picture | null {
  const first = net.layers[0]!;
  if (net.inputSize !== PIXELS) return null;
  const units = first.outSize;
  const weightsOf = (j: number) => Float32Array.from({ length: PIXELS }, (_, i) => first.w[i * units + j]!);
  const norm = (j: number) => {
    let s = 0;
    for (let i = 0; i < PIXELS; i++) s += first.w[i * units + j]! ** 2;
    return s;
  };
  const next = net.layers.length === 2 ? net.layers[1]! : null;
  const favoured = (j: number): [number, number] => {
    let best = 0;
    for (let c = 1; c < next!.outSize; c++) if (next!.w[j * next!.outSize + c]! > next!.w[j * next!.outSize + best]!) best = c;
    return [best, next!.w[j * next!.outSize + best]!];
  };
  const orders = [
    { name: 'norm', label: 'strongest first' },
    ...(next ? [{ name: 'class', label: `by the ${outputs} it favours` }] : []),
    { name: 'index', label: 'as stored' },
  ];
  return {
    title,
    caption: `What each hidden unit looks for: its ${PIXELS} input weights as a 28×28 tile, blue positive, red negative. ${units} units in all. Ordered by the ${outputs} they favour, each row holds the units whose output weights push that ${outputs}${labelled} up most.`,
    style: 'signed',
    available: units,
    orders,
    tiles(count, order) {
      const index = Array.from({ length: units }, (_, j) => j);
      if (order === 'norm') {
        const n = index.map(norm);
        index.sort((a, b) => n[b]! - n[a]!);
      } else if (order === 'class') {
        // A row per output: the units that favour it most strongly, count / outputs of them.
        const f = index.map(favoured);
        const per = Math.max(1, Math.floor(count / next!.outSize));
        const rows = Array.from({ length: next!.outSize }, (_, c) =>
          index
            .filter((j) => f[j]![0] === c)
            .sort((a, b) => f[b]![1] - f[a]![1])
            .slice(0, per),
        );
        const chosen = rows.flatMap((r) => [...r, ...new Array<number>(per - r.length).fill(-1)]);
        const blank = new Float32Array(PIXELS);
        return { vectors: chosen.map((j) => (j < 0 ? blank : weightsOf(j))), labels: chosen.map((j) => (j < 0 ? '' : String(f[j]![0]))), columns: per };
      }
      return { vectors: index.slice(0, count).map(weightsOf) };
    },
  };
}

/** One picture of a few fixed tiles, in one order. */
export function fixedPicture(
  title: string,
  caption: string,
  style: Picture['style'],
  make: () => { vectors: Float32Array[]; labels?: string[]; columns?: number },
): Picture {
  let made: ReturnType<typeof make> | null = null;
  const all = () => (made ??= make());
  return {
    title,
    caption,
    style,
    get available() {
      return all().vectors.length;
    },
    orders: [{ name: 'index', label: 'as stored' }],
    tiles: (count) => {
      const { vectors, labels, columns } = all();
      return { vectors: vectors.slice(0, count), ...(labels && { labels: labels.slice(0, count) }), ...(columns && { columns }) };
    },
  };
}

/** A kNN's picture: the first 4 stored training digits of each class, drawn by `pixelsOf(row)`, labelled. */
export function storedDigitsPicture(labels: ArrayLike<number>, pixelsOf: (row: number) => Float32Array, caption: string): Picture {
  return fixedPicture('Training digits it compares with', caption, 'ink', () => {
    const rows = firstPerClass(labels, 4);
    return { vectors: rows.map(pixelsOf), labels: rows.map((r) => String(labels[r])), columns: 8 };
  });
}

/** Per class, the first `perClass` rows of `labels` with that class: indices in class order. */
export function firstPerClass(labels: ArrayLike<number>, perClass: number): number[] {
  const out: number[][] = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = out[labels[i]!];
    if (c && c.length < perClass) c.push(i);
  }
  return out.flat();
}
