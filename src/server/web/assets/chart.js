// @ts-check
// Exceptions per week per article as a grouped bar chart in inline SVG:
// the layout is pure (tested in Node), drawing is a thin layer over it.

import { h, svg } from './dom.js';

export const CHART = { width: 640, height: 240, left: 36, right: 12, top: 12, bottom: 40 };
const MAX_BAR = 36;
const COLOURS = ['#1f5fa8', '#c2571a', '#2e7d32', '#7b3fa0', '#8d6e00'];

/** Bars from the API's rows ({ weekStart, article, count }): one group per week, one bar per article. */
export function chartLayout(rows, size = CHART) {
  const weeks = [...new Set(rows.map((r) => r.weekStart))].sort();
  const articles = [...new Set(rows.map((r) => r.article))].sort();
  const max = Math.max(1, ...rows.map((r) => r.count));
  const plotW = size.width - size.left - size.right;
  const plotH = size.height - size.top - size.bottom;
  const groupW = weeks.length === 0 ? 0 : plotW / weeks.length;
  // Capped so one week of data does not become two slabs across the whole chart.
  const barW = articles.length === 0 ? 0 : Math.min(MAX_BAR, Math.max(2, (groupW * 0.8) / articles.length));
  const bars = rows.map((r) => {
    const w = weeks.indexOf(r.weekStart);
    const a = articles.indexOf(r.article);
    const barH = (r.count / max) * plotH;
    return {
      x: size.left + w * groupW + (groupW - barW * articles.length) / 2 + a * barW, y: size.top + plotH - barH, width: barW, height: barH,
      colour: COLOURS[a % COLOURS.length], label: `${r.article}, ${r.weekStart}: ${r.count}`,
    };
  });
  const labels = weeks.map((week, i) => ({ x: size.left + i * groupW + groupW / 2, text: week.slice(5) }));
  return { weeks, articles, max, bars, labels, legend: articles.map((a, i) => ({ article: a, colour: COLOURS[i % COLOURS.length] })) };
}

export function drawChart(rows, title) {
  const layout = chartLayout(rows);
  const base = CHART.height - CHART.bottom;
  return svg('svg', { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', 'aria-label': title, class: 'chart' },
    svg('title', {}, title),
    svg('line', { x1: CHART.left, y1: base, x2: CHART.width - CHART.right, y2: base, class: 'axis' }),
    svg('text', { x: CHART.left - 6, y: CHART.top + 8, 'text-anchor': 'end', class: 'tick' }, String(layout.max)),
    svg('text', { x: CHART.left - 6, y: base, 'text-anchor': 'end', class: 'tick' }, '0'),
    layout.bars.map((b) => svg('rect', { x: b.x.toFixed(1), y: b.y.toFixed(1), width: b.width.toFixed(1), height: b.height.toFixed(1), fill: b.colour },
      svg('title', {}, b.label))),
    layout.labels.map((l) => svg('text', { x: l.x.toFixed(1), y: base + 16, 'text-anchor': 'middle', class: 'tick' }, l.text)),
    layout.legend.map((l, i) => [
      svg('rect', { x: CHART.left + i * 150, y: CHART.height - 14, width: 10, height: 10, fill: l.colour }),
      svg('text', { x: CHART.left + i * 150 + 14, y: CHART.height - 5, class: 'tick' }, l.article),
    ]),
  );
}

/**
 * The chart's numbers as a table (weeks down, articles across): what a screen reader reads, and what a
 * phone shows instead of bars too small to read. `text`: { week, caption } in the page's language.
 */
export function chartTable(rows, text) {
  const { weeks, articles } = chartLayout(rows);
  const count = (week, article) => rows.find((r) => r.weekStart === week && r.article === article)?.count ?? 0;
  return h('div', { class: 'table-wrap' }, h('table', { id: 'chart-table', class: 'chart-table' },
    h('caption', {}, text.caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, text.week), articles.map((a) => h('th', { scope: 'col' }, a)))),
    h('tbody', {}, weeks.map((week) => h('tr', {},
      h('th', { scope: 'row' }, week), articles.map((a) => h('td', { class: 'num' }, count(week, a))))))));
}
