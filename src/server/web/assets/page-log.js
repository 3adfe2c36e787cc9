// @ts-check
// The leader's exception log: filters kept in the address bar (so a filtered
// view can be bookmarked or shared; the form is in log-filter.js), the table,
// a CSV export of exactly that filter, the weekly chart and device health.

import { ApiError, queryString, request } from './api.js';
import { chartTable, drawChart } from './chart.js';
import { h } from './dom.js';
import { allowedText, dateTime } from './format.js';
import { dateProblems, FILTER_FIELDS, filterForm, filterQuery, showProblems } from './log-filter.js';
import { loadHealth } from './page-health.js';

const PAGE = 50;

export async function renderLog(ctx) {
  const { t } = ctx;
  document.title = `${t('log.title')} – Lesmodus`;
  const params = new URLSearchParams(location.search);
  const values = Object.fromEntries(FILTER_FIELDS.map((f) => [f, params.get(f) ?? '']));
  const query = filterQuery(values);
  // An address with a date that is none, or an end before the start (typed or shared by hand): said at the form, not shown as an empty log.
  const problems = dateProblems(values, t);
  const loading = problems.length > 0 ? null : Promise.all([
    request('GET /api/v1/exceptions', { query: { ...query, limit: PAGE } }),
    request('GET /api/v1/exceptions/chart', { query }),
  ]);
  loading?.catch(() => {}); // awaited below; this only keeps an early failure from being reported twice
  const { schools } = await request('GET /api/v1/schools');
  const { form, error } = filterForm(ctx, values, schools);
  const health = h('section', { class: 'card', 'aria-labelledby': 'health-title' }, h('h2', { id: 'health-title' }, t('health.title')));
  const results = h('div', { id: 'log-results' });
  ctx.show(h('section', { 'data-page': 'log' }, h('h1', {}, t('log.title')), h('p', { class: 'muted' }, t('log.intro')), form, results, health));
  // Device health is secondary: it loads after the log is on screen and may fail on its own.
  const healthLoaded = () => loadHealth(ctx, health).catch((e) => health.append(h('p', { class: 'error' }, t('error.generic', { message: e.message }))));
  if (loading === null) {
    showProblems(form, error, problems);
    return healthLoaded();
  }
  let page;
  let chart;
  try {
    [page, chart] = await loading;
  } catch (e) {
    // A filter the server refuses (400) is the form's problem, in the page's language; anything else is the page's.
    if (!(e instanceof ApiError) || e.status !== 400) throw e;
    error.textContent = e.message;
    return healthLoaded();
  }
  results.append(
    h('div', { class: 'toolbar' },
      h('span', { id: 'log-count' }, t('log.count', { count: page.total })),
      h('a', { class: 'button', id: 'export', href: `/api/v1/exceptions/export${queryString({ ...query, format: 'csv', lang: ctx.lang })}`, download: '' }, t('log.export'))),
    logTable(ctx, page, query),
    h('section', { class: 'card', 'aria-labelledby': 'chart-title' },
      h('h2', { id: 'chart-title' }, t('chart.title')),
      chart.weeks.length === 0 ? h('p', { class: 'muted' }, t('chart.none')) : [drawChart(chart.weeks, t('chart.title')), chartTable(chart.weeks, { week: t('chart.week'), caption: t('chart.tableCaption') })]));
  healthLoaded();
}

function logTable(ctx, page, query) {
  const { t } = ctx;
  if (page.rows.length === 0) return h('p', { class: 'card', id: 'log-empty' }, t('log.none'));
  const body = h('tbody', {}, page.rows.map((row) => logRow(ctx, row)));
  let shown = page.rows.length;
  // Pages of 50 keep the first view quick; the CSV export always has everything.
  const more = h('button', { type: 'button', id: 'log-more', hidden: shown >= page.total, onclick: async () => {
    more.disabled = true;
    const next = await request('GET /api/v1/exceptions', { query: { ...query, limit: PAGE, offset: shown } });
    body.append(...next.rows.map((row) => logRow(ctx, row)));
    shown += next.rows.length;
    more.hidden = shown >= next.total || next.rows.length === 0;
    more.disabled = false;
  } }, t('log.more'));
  return h('div', { class: 'table-wrap' }, h('table', { id: 'log' },
    h('thead', {}, h('tr', {}, [t('log.when'), t('log.who'), t('log.groups'), t('log.allowed'), t('log.article'), t('log.reason'), t('log.status'), t('log.devices'), '']
      .map((c) => h('th', { scope: 'col' }, c)))),
    body), more);
}

function logRow(ctx, row) {
  const { t, timeZone, lang } = ctx;
  return h('tr', { 'data-grant': row.id },
    h('td', {}, dateTime(row.startsAt, timeZone, lang)),
    h('td', {}, row.issuedBy.name ?? row.issuedBy.username, row.issuedBy.teacherCode ? ` (${row.issuedBy.teacherCode})` : ''),
    h('td', {}, row.groups.join(', ').toUpperCase()),
    h('td', {}, allowedText(row.allow, t, ctx.policy.serviceNames)),
    h('td', {}, row.articles.join(', ')),
    h('td', { class: 'reason' }, row.reason),
    h('td', {}, h('span', { class: `badge ${row.status}` }, t(`status.${row.status}`))),
    h('td', { class: 'num' }, String(row.devicesApplied)),
    h('td', {}, h('a', { href: `/leiding/uitzondering/${encodeURIComponent(row.id)}` }, t('log.details'))));
}
