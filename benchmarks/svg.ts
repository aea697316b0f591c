/* Small SVG charts for the bench report: no plotting dependency, readable in any browser or on GitHub. */

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal bars, one per label, with the value printed at the end of each bar. */
export function barChart(title: string, rows: { label: string; value: number }[], format: (v: number) => string, { log = false } = {}): string {
  const width = 640;
  const left = 190;
  const barHeight = 22;
  const height = 40 + rows.length * (barHeight + 8);
  const values = rows.map((r) => (log ? Math.log10(Math.max(r.value, 1e-9)) : r.value));
  const min = log ? Math.min(...values) - 0.5 : 0;
  const max = Math.max(...values, min + 1e-9);
  const scale = (v: number) => ((v - min) / (max - min)) * (width - left - 90);
  const bars = rows
    .map((r, i) => {
      const y = 32 + i * (barHeight + 8);
      const w = Math.max(2, scale(values[i]!));
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" ${FONT}>${escapeXml(r.label)}</text>
<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="#3b6ea8"/>
<text x="${left + w + 6}" y="${y + 15}" ${FONT}>${escapeXml(format(r.value))}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" ${FONT} font-weight="bold">${escapeXml(title)}${log ? ' (log scale)' : ''}</text>
${bars}
</svg>
`;
}

/** A line chart of y against x for one or more series. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: { name: string; points: [number, number][] }[]): string {
  const width = 640;
  const height = 320;
  const pad = { left: 60, right: 20, top: 30, bottom: 45 };
  const all = series.flatMap((s) => s.points);
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  const colours = ['#3b6ea8', '#c0504d', '#9bbb59', '#8064a2'];
  const lines = series
    .map((s, i) => {
      const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
      return `<path d="${d}" fill="none" stroke="${colours[i % colours.length]}" stroke-width="2"/>
<text x="${width - pad.right - 4}" y="${pad.top + 14 * i}" text-anchor="end" fill="${colours[i % colours.length]}" ${FONT}>${escapeXml(s.name)}</text>`;
    })
    .join('\n');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const yv = y0 + t * (y1 - y0);
      const xv = x0 + t * (x1 - x0);
      return `<text x="${pad.left - 6}" y="${sy(yv) + 4}" text-anchor="end" ${FONT}>${fmt(yv)}</text>
<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(yv)}" y2="${sy(yv)}" stroke="#ddd"/>
<text x="${sx(xv)}" y="${height - pad.bottom + 16}" text-anchor="middle" ${FONT}>${fmt(xv)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="18" ${FONT} font-weight="bold">${escapeXml(title)}</text>
${ticks}
${lines}
<text x="${(pad.left + width - pad.right) / 2}" y="${height - 8}" text-anchor="middle" ${FONT}>${escapeXml(xLabel)}</text>
<text x="14" y="${(pad.top + height - pad.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})" ${FONT}>${escapeXml(yLabel)}</text>
</svg>
`;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(3);
}

/** Confusion-matrix heatmap (rows true, columns predicted), off-diagonal cells on their own colour scale. */
export function confusionHeatmap(title: string, confusion: number[][]): string {
  const cell = 36;
  const left = 40;
  const top = 50;
  const n = confusion.length;
  const offMax = Math.max(1, ...confusion.flatMap((row, t) => row.filter((_, p) => p !== t)));
  const cells = confusion
    .flatMap((row, t) =>
      row.map((v, p) => {
        const diag = t === p;
        const a = diag ? 0.85 : Math.min(1, v / offMax);
        const fill = diag ? `rgba(59,110,168,${a})` : `rgba(192,80,77,${a.toFixed(3)})`;
        return `<rect x="${left + p * cell}" y="${top + t * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#eee"/>
<text x="${left + p * cell + cell / 2}" y="${top + t * cell + cell / 2 + 4}" text-anchor="middle" ${FONT} fill="${diag || a > 0.6 ? 'white' : 'black'}">${v}</text>`;
      }),
    )
    .join('\n');
  const labels = Array.from(
    { length: n },
    (_, i) =>
      `<text x="${left + i * cell + cell / 2}" y="${top - 6}" text-anchor="middle" ${FONT}>${i}</text><text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" ${FONT}>${i}</text>`,
  ).join('\n');
  const size = left + n * cell + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${top + n * cell + 30}" viewBox="0 0 ${size} ${top + n * cell + 30}">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="18" ${FONT} font-weight="bold">${escapeXml(title)}</text>
<text x="${left + (n * cell) / 2}" y="34" text-anchor="middle" ${FONT}>predicted</text>
${labels}
${cells}
</svg>
`;
}
