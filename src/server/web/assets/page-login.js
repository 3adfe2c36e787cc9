// @ts-check
// The login page: two fields and a big button.

import { ApiError, logIn } from './api.js';
import { h } from './dom.js';

export function renderLogin(ctx, loggedIn) {
  const { t } = ctx;
  document.title = `${t('login.title')} – Lesmodus`;
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', 'data-page': 'login' },
    h('h1', {}, t('login.title')),
    h('label', { for: 'username' }, t('login.username')), username,
    h('label', { for: 'password' }, t('login.password')), password,
    error,
    h('button', { type: 'submit', class: 'primary big' }, t('login.submit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      loggedIn(await logIn(username.value.trim(), password.value));
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 429 ? t('login.tooMany')
        : e instanceof ApiError && e.status < 500 ? t('login.failed') : t('error.network');
      password.select();
    }
  });
  ctx.show(form);
}
