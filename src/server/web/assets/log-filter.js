// @ts-check
// The leader's filter form. Dates are Dutch (dd-mm-jjjj) whatever the
// browser's language: a native date field would show mm/dd/yyyy in an
// English browser. The form checks what it can before asking the server,
// and goes to an address with only the fields filled in.

import { queryString } from './api.js';
import { h } from './dom.js';
import { dateParam, dutchDate, isoDate } from './format.js';

export const FILTER_FIELDS = ['from', 'to', 'school', 'group', 'teacher', 'article', 'category', 'service', 'status'];

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

/** What is wrong with the dates, each with its field: a date that is none, and an end before the start. */
export function dateProblems(values, t) {
  const problems = [];
  const from = isoDate(values.from);
  const to = isoDate(values.to);
  for (const field of ['from', 'to']) {
    if (isoDate(values[field]) === null) problems.push({ field, text: t('log.dateInvalid', { field: t(`log.${field}`), value: String(values[field]).trim() }) });
  }
  if (typeof from === 'string' && typeof to === 'string' && to < from) {
    problems.push({ field: 'to', text: t('log.dateReversed', { from: dutchDate(from), to: dutchDate(to) }) });
  }
  return problems;
}

/** The page's address for the form's values: only what is filled in (no "?group=&teacher="), dates as jjjj-mm-dd. */
export function filterAddress(values) {
  const kept = Object.fromEntries(FILTER_FIELDS.map((f) => [f, f === 'from' || f === 'to' ? dateParam(values[f]) : String(values[f] ?? '').trim()]));
  return `/leiding${queryString(kept)}`;
}

function select(name, label, options, value, t) {
  return h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label),
    h('select', { id: `f-${name}`, name }, h('option', { value: '' }, t('log.any')),
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function input(name, label, value, attrs = {}) {
  return h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label), h('input', { id: `f-${name}`, name, type: 'text', value, ...attrs }));
}

/** A Dutch date field: a text field with the format beside it, never type=date. */
function dateInput(name, label, value, t) {
  return h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label),
    h('input', { id: `f-${name}`, name, type: 'text', value: dutchDate(value), inputmode: 'numeric', autocomplete: 'off', size: 10, maxlength: 10,
      pattern: '\\d{1,2}[\\-.\\/]\\d{1,2}[\\-.\\/]\\d{4}|\\d{4}-\\d{1,2}-\\d{1,2}', placeholder: t('log.dateHint'), 'aria-describedby': `f-${name}-hint` }),
    h('small', { id: `f-${name}-hint`, class: 'muted' }, t('log.dateHint')));
}

/** Marks the fields with a problem, lists every problem and puts the focus on the first; none: clears it all. */
export function showProblems(form, error, problems) {
  for (const field of form.querySelectorAll('input, select')) field.setAttribute('aria-invalid', String(problems.some((p) => p.field === field.name)));
  error.replaceChildren(problems.length === 1 ? problems[0].text : problems.length === 0 ? '' : h('ul', {}, problems.map((p) => h('li', {}, p.text))));
  if (problems.length > 0) form.querySelector(`[name="${problems[0].field}"]`)?.focus();
}

/** The form, its error line, and what it does on submit: check, then go to the filtered address. */
export function filterForm(ctx, values, schools) {
  const { t } = ctx;
  // A leader over several schools (the foundation) picks one; with one school the field would only be noise.
  const school = schools.length > 1 ? [select('school', t('log.school'), schools.map((s) => [s.id, s.name]), values.school, t)] : [];
  const names = Object.values(ctx.policy.serviceNames ?? {}).sort((a, b) => a.localeCompare(b));
  const error = h('p', { class: 'error', role: 'alert', id: 'filter-error' });
  // Our own checks (novalidate): the message is then in the page's language and read out by the live region.
  const form = h('form', { class: 'card filters', method: 'get', action: '/leiding', role: 'search', novalidate: true },
    dateInput('from', t('log.from'), values.from, t),
    dateInput('to', t('log.to'), values.to, t),
    ...school,
    input('group', t('log.group'), values.group),
    input('teacher', t('log.teacher'), values.teacher),
    // The server's lists (GET /api/v1/policy): the articles an exception rests on, and its statuses.
    select('article', t('log.article'), ctx.policy.exceptionArticles.map((a) => [a, `art. ${a}`]), values.article, t),
    select('category', t('log.category'), ctx.policy.grantable.map((c) => [c, t(`cat.${c}`)]), values.category, t),
    input('service', t('log.service'), values.service, { list: 'f-service-names', autocomplete: 'off' }),
    h('datalist', { id: 'f-service-names' }, names.map((name) => h('option', { value: name }))),
    select('status', t('log.status'), ctx.policy.exceptionStatuses.map((s) => [s, t(`status.${s}`)]), values.status, t),
    h('div', { class: 'field actions' },
      h('button', { type: 'submit', class: 'primary' }, t('log.filter')),
      h('a', { class: 'button', href: '/leiding' }, t('log.reset'))),
    error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = Object.fromEntries(FILTER_FIELDS.map((f) => [f, String(new FormData(form).get(f) ?? '')]));
    const problems = dateProblems(typed, t);
    showProblems(form, error, problems);
    if (problems.length === 0) ctx.go(filterAddress(typed));
  });
  return { form, error };
}
