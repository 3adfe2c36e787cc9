// @ts-check
// The admin page's accounts: who may log in at this school, and a form to
// make a teacher, leader or admin account (audited on the server with the
// admin's name). The first password is the admin's to pass on; the user
// changes it with `lesmodus server password` or the admin resets it.

import { request } from './api.js';
import { h } from './dom.js';

/** @typedef {import('./api-types').ApiBody<'POST /api/v1/users'>['role']} Role */

/** What is wrong with the form, every problem at once, in the page's words; `minPassword` is the server's (GET /api/v1/policy). */
export function accountProblems(T, { username, role, code, password }, minPassword) {
  const problems = [];
  if (!/^\S{1,128}$/.test(username)) problems.push({ field: 'username', text: T('accountNeedUsername') });
  if (role === 'teacher' && code.trim() === '') problems.push({ field: 'code', text: T('accountNeedCode') });
  if (password.length < minPassword) problems.push({ field: 'password', text: T('accountNeedPassword', { min: minPassword }) });
  return problems;
}

function accountForm(ctx, T, schoolId, reload) {
  const { accountRoles, minPasswordLength } = ctx.policy;
  const field = (name, attrs) => h('input', { id: `account-${name}`, name, autocomplete: 'off', ...attrs });
  const fields = {
    username: field('username', { maxlength: 128 }),
    name: field('name', { maxlength: 200 }),
    // Most accounts a school makes are teachers': that one is picked first.
    role: h('select', { id: 'account-role', name: 'role' }, accountRoles.map((r) => h('option', { value: r, selected: r === 'teacher' }, T(`role.${r}`)))),
    code: field('code', { maxlength: 16, size: 6 }),
    password: field('password', { type: 'password', autocomplete: 'new-password', minlength: minPasswordLength }),
  };
  const error = h('p', { class: 'error', role: 'alert' });
  const row = (name, label) => [h('label', { for: `account-${name}` }, label), fields[name]];
  const form = h('form', { class: 'account-form', novalidate: true, 'aria-labelledby': 'account-new' },
    h('h3', { id: 'account-new' }, T('accountNew')),
    row('username', T('username')), row('name', T('name')), row('role', T('role')), row('code', T('code')), row('password', T('accountPassword')),
    error, h('button', { type: 'submit', class: 'primary' }, T('accountMake')));
  const value = (name) => /** @type {HTMLInputElement} */ (fields[name]).value;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = { username: value('username').trim(), role: value('role'), code: value('code'), password: value('password') };
    const problems = accountProblems(T, values, minPasswordLength);
    for (const [name, input] of Object.entries(fields)) input.setAttribute('aria-invalid', String(problems.some((p) => p.field === name)));
    if (problems.length > 0) {
      error.replaceChildren(problems.length === 1 ? problems[0].text : h('ul', {}, problems.map((p) => h('li', {}, p.text))));
      fields[problems[0].field].focus();
      return;
    }
    error.textContent = '';
    try {
      await request('POST /api/v1/users', { body: {
        username: values.username, role: /** @type {Role} */ (values.role), password: values.password, schoolId,
        displayName: value('name').trim() || null, teacherCode: values.code.trim().toUpperCase() || null,
      } });
      ctx.say(T('accountMade', { username: values.username }));
      await reload();
    } catch (e) {
      error.textContent = T('importFailed', { message: e.message });
    }
  });
  return form;
}

export function accountsSection(ctx, T, schoolId, users, reload) {
  const none = T('none');
  return h('section', { 'aria-labelledby': 'admin-accounts' }, h('h2', { id: 'admin-accounts' }, T('accounts')),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, [T('username'), T('name'), T('role'), T('code')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, users.map((u) => h('tr', { 'data-user': u.username },
        h('th', { scope: 'row' }, u.username), h('td', {}, u.displayName ?? none), h('td', {}, T(`role.${u.role}`)), h('td', {}, u.teacherCode ?? none)))))),
    h('details', {}, h('summary', { class: 'button' }, T('accountNew')), accountForm(ctx, T, schoolId, reload)));
}
