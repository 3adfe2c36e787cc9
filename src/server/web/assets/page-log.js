// @ts-check
// The leader's exception log: filters kept in the address bar (so a filtered
// view can be bookmarked or shared), the table, a CSV export of exactly that
// filter, the weekly chart and device health.

import { api, queryString } from './api.js';
import { chartTable, drawChart } from './chart.js';
import { h } from './dom.js';
import { allowedText, dateParam, dateTime } from './format.js';

export const FILTER_FIELDS = ['from', 'to', 'school', 'group', 'teacher', 'article', 'category', 'service', 'status'];
const ARTICLES = ['III.A.1', 'III.A.2', 'III.A.3'];
const STATUSES = ['scheduled', 'active', 'expired', 'revoked'];
const PAGE = 50;

/** The API's filter from the form's values: dates become the start of that day and the start of the next. */
export function filterQuery(values) {
  const to = dateParam(values.to);
  let toNext;
  if (to !== undefined) {
    const d = new Date(`${to}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    toNext = d.toISOString().slice(0, 10);
  }
  return {
    from: dateParam(values.from), to: toNext, school: values.school || undefined, group: values.group?.trim().toLowerCase() || undefined,
    teacher: values.teacher?.trim().toUpperCase() || undefined, article: values.article || undefined,
    category: values.category || undefined, service: values.service?.trim() || undefined, status: values.status || undefined,
  };
}

export async function renderLog(ctx) {
  const { t } = ctx;
  document.title = `${t('log.title')} – Lesmodus`;
  const params = new URLSearchParams(location.search);
  const values = Object.fromEntries(FILTER_FIELDS.map((f) => [f, params.get(f) ?? '']));
  const query = filterQuery(values);
  const [page, chart, { schools }] = await Promise.all([
    api('GET', `/api/v1/exceptions${queryString({ ...query, limit: PAGE })}`),
    api('GET', `/api/v1/exceptions/chart${queryString(query)}`),
    api('GET', '/api/v1/schools'),
  ]);
  const health = h('section', { class: 'card', 'aria-labelledby': 'health-title' }, h('h2', { id: 'health-title' }, t('health.title')));
  ctx.show(h('section', { 'data-page': 'log' },
    h('h1', {}, t('log.title')),
    h('p', { class: 'muted' }, t('log.intro')),
    filterForm(ctx, values, schools),
    h('div', { class: 'toolbar' },
      h('span', { id: 'log-count' }, t('log.count', { count: page.total })),
      h('a', { class: 'button', id: 'export', href: `/api/v1/exceptions/export${queryString({ ...query, format: 'csv', lang: ctx.lang })}`, download: '' }, t('log.export'))),
    logTable(ctx, page, query),
    h('section', { class: 'card', 'aria-labelledby': 'chart-title' },
      h('h2', { id: 'chart-title' }, t('chart.title')),
      chart.weeks.length === 0 ? h('p', { class: 'muted' }, t('chart.none')) : [drawChart(chart.weeks, t('chart.title')), chartTable(chart.weeks, { week: t('chart.week'), caption: t('chart.tableCaption') })]),
    health));
  // Device health is secondary: it loads after the log is on screen and may fail on its own.
  loadHealth(ctx, health).catch((error) => health.append(h('p', { class: 'error' }, t('error.generic', { message: error.message }))));
}

function select(name, label, options, value, t) {
  return h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label),
    h('select', { id: `f-${name}`, name }, h('option', { value: '' }, t('log.any')),
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function input(name, label, value, type = 'text') {
  return h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label), h('input', { id: `f-${name}`, name, type, value }));
}

function filterForm(ctx, values, schools) {
  const { t } = ctx;
  // A leader over several schools (the foundation) picks one; with one school the field would only be noise.
  const school = schools.length > 1 ? [select('school', t('log.school'), schools.map((s) => [s.id, s.name]), values.school, t)] : [];
  // A plain GET form: the filter lands in the address bar and the page reloads with it.
  return h('form', { class: 'card filters', method: 'get', action: '/leiding', role: 'search' },
    input('from', t('log.from'), values.from, 'date'),
    input('to', t('log.to'), values.to, 'date'),
    ...school,
    input('group', t('log.group'), values.group),
    input('teacher', t('log.teacher'), values.teacher),
    select('article', t('log.article'), ARTICLES.map((a) => [a, `art. ${a}`]), values.article, t),
    select('category', t('log.category'), ctx.policy.grantable.map((c) => [c, t(`cat.${c}`)]), values.category, t),
    input('service', t('log.service'), values.service),
    select('status', t('log.status'), STATUSES.map((s) => [s, t(`status.${s}`)]), values.status, t),
    h('div', { class: 'field actions' },
      h('button', { type: 'submit', class: 'primary' }, t('log.filter')),
      h('a', { class: 'button', href: '/leiding' }, t('log.reset'))));
}

function logTable(ctx, page, query) {
  const { t } = ctx;
  if (page.rows.length === 0) return h('p', { class: 'card', id: 'log-empty' }, t('log.none'));
  const body = h('tbody', {}, page.rows.map((row) => logRow(ctx, row)));
  let shown = page.rows.length;
  // Pages of 50 keep the first view quick; the CSV export always has everything.
  const more = h('button', { type: 'button', id: 'log-more', hidden: shown >= page.total, onclick: async () => {
    more.disabled = true;
    const next = await api('GET', `/api/v1/exceptions${queryString({ ...query, limit: PAGE, offset: shown })}`);
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

const STALE_MS = 24 * 60 * 60_000;

async function loadHealth(ctx, section) {
  const { t, timeZone, lang } = ctx;
  const [{ devices }, missed] = await Promise.all([api('GET', '/api/v1/devices'), api('GET', '/api/v1/devices/not-enforcing')]);
  const now = ctx.now();
  section.append(h('div', { class: 'table-wrap' }, h('table', { id: 'devices' },
    h('thead', {}, h('tr', {}, [t('health.host'), t('detail.student'), t('health.lastSeen'), t('health.version')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, devices.map((d) => {
      // A revoked laptop is cut off on purpose: shown as such, not as one that went quiet.
      const revoked = d.revokedAt !== null && d.revokedAt !== undefined;
      const stale = !revoked && (d.lastSeenAt === null || now - d.lastSeenAt > STALE_MS);
      const badge = revoked ? h('span', { class: 'badge revoked' }, t('health.revoked')) : stale ? h('span', { class: 'badge revoked' }, t('health.stale')) : null;
      return h('tr', { class: revoked ? 'revoked' : stale ? 'stale' : undefined },
        h('td', {}, d.hostname),
        h('td', {}, d.studentName ?? d.loginName ?? '—'),
        h('td', {}, d.lastSeenAt === null ? t('health.never') : dateTime(d.lastSeenAt, timeZone, lang), badge),
        h('td', {}, d.agentVersion));
    })))));
  // Lessons (last 7 days) in which a device that should have enforced was silent or was tampered with.
  section.append(h('h3', {}, t('health.notEnforcing')), missed.devices.length === 0 ? h('p', { class: 'muted' }, t('health.allEnforcing'))
    : h('div', { class: 'table-wrap' }, h('table', { id: 'not-enforcing' },
      h('thead', {}, h('tr', {}, [t('health.lesson'), t('health.host'), t('detail.student'), t('health.silent'), t('health.tamper')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, missed.devices.map((m) => h('tr', {},
        h('td', {}, `${dateTime(m.lesson.start, timeZone, lang)} · ${m.lesson.subject ?? '—'} · ${m.lesson.groups.join(', ').toUpperCase()}`),
        h('td', {}, m.hostname),
        h('td', {}, m.studentName ?? m.studentId),
        h('td', { class: 'num' }, String(Math.round(m.silentMs / 60_000))),
        h('td', { class: 'num' }, String(m.tamperEvents))))))));
}
