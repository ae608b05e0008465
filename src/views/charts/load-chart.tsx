/**
 * A server-rendered SVG bar chart of each rep's load before and after a run (F6): one row per rep,
 * a thin bar for before and a thick bar for after, the cap drawn as a line, the target as a dashed line.
 * No script; readable by screen readers through <title>/<desc> and a text summary per row.
 */

export interface LoadChartRow {
  name: string;
  before: number;
  after: number;
  cap?: number | null;
  target?: number | null;
}

export interface LoadChartProps {
  title: string;
  rows: LoadChartRow[];
  /** How to print a value: a count, or cents as money. */
  format: (value: number) => string;
  width?: number;
}

const ROW_HEIGHT = 26;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 150;
const TOP = 28;

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function LoadChart({ title, rows, format, width = 760 }: LoadChartProps) {
  const plot = width - LABEL_WIDTH - VALUE_WIDTH;
  const max = niceMax(Math.max(0, ...rows.flatMap((r) => [r.before, r.after, r.cap ?? 0, r.target ?? 0])));
  const x = (v: number) => LABEL_WIDTH + (Math.max(0, v) / max) * plot;
  const height = TOP + rows.length * ROW_HEIGHT + 10;
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const over = rows.filter((r) => r.cap !== null && r.cap !== undefined && r.after > r.cap).length;
  return (
    <figure class="load-chart">
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>
          {`${rows.length} reps. Thin grey bar: before; thick bar: after; red line: cap; dashed line: target.` +
            (over > 0 ? ` ${over} rep(s) over their cap.` : '')}
        </desc>
        <text x={LABEL_WIDTH} y={14} class="axis">
          0
        </text>
        <text x={LABEL_WIDTH + plot} y={14} text-anchor="end" class="axis">
          {format(max)}
        </text>
        {rows.map((r, i) => {
          const y = TOP + i * ROW_HEIGHT;
          const isOver = r.cap !== null && r.cap !== undefined && r.after > r.cap;
          return (
            <g>
              <title>{`${r.name}: ${format(r.before)} before, ${format(r.after)} after${r.cap != null ? `, cap ${format(r.cap)}` : ''}`}</title>
              <text x={LABEL_WIDTH - 8} y={y + 15} text-anchor="end" class="label">
                {r.name}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y + 2}
                width={x(r.before) - LABEL_WIDTH}
                height={5}
                class="bar-before"
              />
              <rect
                x={LABEL_WIDTH}
                y={y + 9}
                width={x(r.after) - LABEL_WIDTH}
                height={12}
                class={isOver ? 'bar-after bar-over' : 'bar-after'}
              />
              {r.target != null && (
                <line x1={x(r.target)} x2={x(r.target)} y1={y} y2={y + 22} class="target" />
              )}
              {r.cap != null && <line x1={x(r.cap)} x2={x(r.cap)} y1={y} y2={y + 22} class="cap" />}
              <text x={width - VALUE_WIDTH + 8} y={y + 15} class="value">
                {`${format(r.before)} → ${format(r.after)}`}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
