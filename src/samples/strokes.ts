import type { Random } from '../core/util/random.js';

/** A pen stroke as control points in a unit box (x right, y down); a digit is one or more strokes. */
export type Stroke = [number, number][];

/**
 * Hand-made stroke templates, several writing styles per digit (open and closed 4, 7 with and without a bar,
 * 1 with and without a flag, ...). They are drawn independently of MNIST, so the sample set tests
 * generalisation rather than memory.
 */
export const TEMPLATES: Record<number, Stroke[][]> = {
  0: [[ellipse(0.5, 0.5, 0.3, 0.45, 14)], [ellipse(0.5, 0.5, 0.25, 0.46, 14, 0.3)]],
  1: [
    [
      [
        [0.5, 0.05],
        [0.5, 0.95],
      ],
    ],
    [
      [
        [0.32, 0.22],
        [0.52, 0.05],
        [0.52, 0.95],
      ],
    ],
    [
      [
        [0.3, 0.22],
        [0.5, 0.05],
        [0.5, 0.95],
      ],
      [
        [0.3, 0.95],
        [0.7, 0.95],
      ],
    ],
  ],
  2: [
    [
      [
        [0.2, 0.28],
        [0.35, 0.08],
        [0.6, 0.05],
        [0.78, 0.22],
        [0.7, 0.45],
        [0.2, 0.95],
        [0.85, 0.95],
      ],
    ],
    [
      [
        [0.22, 0.22],
        [0.5, 0.05],
        [0.78, 0.25],
        [0.55, 0.6],
        [0.18, 0.93],
        [0.5, 0.85],
        [0.85, 0.95],
      ],
    ],
  ],
  3: [
    [
      [
        [0.2, 0.15],
        [0.5, 0.04],
        [0.78, 0.18],
        [0.72, 0.38],
        [0.45, 0.5],
        [0.78, 0.62],
        [0.8, 0.85],
        [0.5, 0.97],
        [0.18, 0.86],
      ],
    ],
    [
      [
        [0.2, 0.06],
        [0.8, 0.06],
        [0.45, 0.45],
        [0.78, 0.6],
        [0.78, 0.85],
        [0.5, 0.97],
        [0.2, 0.88],
      ],
    ],
  ],
  4: [
    [
      [
        [0.62, 0.04],
        [0.15, 0.66],
        [0.88, 0.66],
      ],
      [
        [0.65, 0.3],
        [0.65, 0.97],
      ],
    ],
    [
      [
        [0.25, 0.04],
        [0.2, 0.58],
        [0.85, 0.58],
      ],
      [
        [0.7, 0.04],
        [0.7, 0.97],
      ],
    ],
  ],
  5: [
    [
      [
        [0.78, 0.05],
        [0.32, 0.05],
        [0.26, 0.45],
        [0.55, 0.37],
        [0.8, 0.56],
        [0.76, 0.85],
        [0.48, 0.97],
        [0.2, 0.86],
      ],
    ],
    [
      [
        [0.3, 0.05],
        [0.25, 0.45],
        [0.55, 0.37],
        [0.8, 0.56],
        [0.76, 0.85],
        [0.48, 0.97],
        [0.2, 0.86],
      ],
      [
        [0.3, 0.05],
        [0.8, 0.05],
      ],
    ],
  ],
  6: [
    [
      [
        [0.7, 0.04],
        [0.42, 0.28],
        [0.22, 0.62],
        [0.32, 0.92],
        [0.62, 0.95],
        [0.76, 0.72],
        [0.56, 0.52],
        [0.28, 0.62],
      ],
    ],
    [
      [
        [0.62, 0.04],
        [0.3, 0.45],
        [0.25, 0.8],
        [0.48, 0.97],
        [0.72, 0.82],
        [0.62, 0.58],
        [0.3, 0.65],
      ],
    ],
  ],
  7: [
    [
      [
        [0.15, 0.08],
        [0.85, 0.08],
        [0.42, 0.96],
      ],
    ],
    [
      [
        [0.15, 0.08],
        [0.85, 0.08],
        [0.42, 0.96],
      ],
      [
        [0.38, 0.5],
        [0.75, 0.5],
      ],
    ],
    [
      [
        [0.2, 0.18],
        [0.25, 0.06],
        [0.85, 0.08],
        [0.6, 0.5],
        [0.5, 0.96],
      ],
    ],
  ],
  8: [
    [
      [
        [0.7, 0.18],
        [0.5, 0.04],
        [0.28, 0.18],
        [0.35, 0.38],
        [0.66, 0.58],
        [0.74, 0.82],
        [0.5, 0.97],
        [0.26, 0.82],
        [0.34, 0.58],
        [0.65, 0.38],
        [0.72, 0.18],
      ],
    ],
    [ellipse(0.5, 0.26, 0.2, 0.22, 10), ellipse(0.5, 0.72, 0.26, 0.25, 10)],
  ],
  9: [
    [
      [
        [0.75, 0.28],
        [0.5, 0.05],
        [0.25, 0.22],
        [0.33, 0.45],
        [0.6, 0.45],
        [0.75, 0.28],
        [0.72, 0.6],
        [0.62, 0.97],
      ],
    ],
    [
      [
        [0.74, 0.22],
        [0.5, 0.05],
        [0.26, 0.2],
        [0.3, 0.42],
        [0.55, 0.47],
        [0.74, 0.22],
        [0.74, 0.97],
      ],
    ],
  ],
};

function ellipse(cx: number, cy: number, rx: number, ry: number, points: number, tilt = 0): Stroke {
  const s: Stroke = [];
  for (let i = 0; i <= points; i++) {
    const t = -Math.PI / 2 + (2 * Math.PI * i) / points;
    const x = rx * Math.cos(t);
    const y = ry * Math.sin(t);
    s.push([cx + x * Math.cos(tilt) - y * Math.sin(tilt) * 0.3, cy + y + x * Math.sin(tilt) * 0.3]);
  }
  return s;
}

export interface DigitShape {
  strokes: Stroke[];
}

/**
 * One handwritten-looking instance of a digit: a template (one of the digit's, or `own`) with each point
 * jittered, then slant, rotation and a width/height ratio applied. Points stay roughly in the unit box.
 */
export function jitteredDigit(digit: number, rng: Random, { slant = 0.15, rotateDeg = 8, jitter = 0.035 } = {}, own?: Stroke[]): DigitShape {
  const variants = TEMPLATES[digit]!;
  const template = own ?? variants[rng.int(variants.length)]!;
  const sh = rng.uniform(-slant, slant);
  const angle = (rng.uniform(-rotateDeg, rotateDeg) * Math.PI) / 180;
  const aspect = rng.uniform(0.75, 1.15);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const strokes = template.map((stroke) =>
    stroke.map(([x, y]): [number, number] => {
      const jx = x + rng.gaussian() * jitter - 0.5;
      const jy = y + rng.gaussian() * jitter - 0.5;
      const sx = (jx - sh * jy) * aspect;
      return [0.5 + cos * sx - sin * jy, 0.5 + sin * sx + cos * jy];
    }),
  );
  return { strokes };
}

/** Catmull–Rom through the control points, sampled densely: a smooth pen path. */
export function smoothPath(points: Stroke, stepsPerSegment = 12): Stroke {
  if (points.length < 3) return points;
  const out: Stroke = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const p0 = points[Math.max(0, i - 1)]!;
    const p1 = points[i]!;
    const p2 = points[i + 1]!;
    const p3 = points[Math.min(points.length - 1, i + 2)]!;
    for (let s = 0; s < stepsPerSegment; s++) {
      const t = s / stepsPerSegment;
      const t2 = t * t;
      const t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) => 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(points[points.length - 1]!);
  return out;
}
