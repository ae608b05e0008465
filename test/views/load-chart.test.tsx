import { describe, expect, it } from 'vitest';
import { LoadChart, niceMax } from '../../src/views/charts/load-chart.tsx';

const render = (node: unknown) => String(node);

describe('load chart', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 7, 12, 180, 201, 999_999].map(niceMax)).toEqual([1, 1, 10, 20, 200, 500, 1_000_000]);
  });

  it('draws a before and an after bar per rep, the caps, and says who is over', () => {
    const svg = render(
      LoadChart({
        title: 'Accounts per rep',
        format: (v) => String(v),
        rows: [
          { name: 'Ria', before: 40, after: 55, cap: 50, target: 48 },
          { name: 'Sam', before: 60, after: 45, cap: 70 },
          { name: 'Dan', before: 10, after: 0 },
        ],
      }),
    );
    expect(svg.match(/class="bar-before"/g)).toHaveLength(3);
    expect(svg.match(/class="bar-after( bar-over)?"/g)).toHaveLength(3);
    expect(svg.match(/class="bar-after bar-over"/g)).toHaveLength(1);
    expect(svg.match(/class="cap"/g)).toHaveLength(2);
    expect(svg.match(/class="target"/g)).toHaveLength(1);
    expect(svg).toContain('1 rep(s) over their cap.');
    expect(svg).toContain('Ria: 40 before, 55 after, cap 50');
    // Axis max 100: Sam's after bar (45) is 45% of the plot width (760 - 170 - 150 = 440).
    expect(svg).toContain(`width="${(45 / 100) * 440}"`);
  });

  it('escapes rep names', () => {
    const svg = render(
      LoadChart({
        title: 'x',
        format: String,
        rows: [{ name: '<img onerror=alert(1)>', before: 1, after: 1 }],
      }),
    );
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img');
  });
});
