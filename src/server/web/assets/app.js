// @ts-check
// The shell: who is logged in, which page this path is, the header and the
// language switch. Pages get a small context and render into <main>.

import { ApiError, api, logOut, whoAmI } from './api.js';
import { byId, h } from './dom.js';
import { currentLanguage, setLanguage, translate } from './i18n.js';
import { renderLogin } from './page-login.js';
import { renderLessons } from './page-lessons.js';
import { renderLog } from './page-log.js';
import { renderDetail } from './page-detail.js';
import { adminText, renderAdmin } from './page-admin.js';

const lang = currentLanguage();
const t = (key, values) => translate(lang, key, values);
const main = byId('main');

let toastTimer;

/** A short message that screen readers announce (the toast is a live region). */
function say(text, kind = 'ok') {
  const toast = byId('toast');
  toast.textContent = text;
  toast.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.className = ''; }, 5000);
}

function homeOf(user) {
  if (user.role === 'admin') return '/beheer';
  return user.role === 'teacher' ? '/lessen' : '/leiding';
}

function go(path) {
  location.assign(path);
}

function show(...content) {
  main.replaceChildren(...content);
}

function denied(ctx) {
  document.title = `${t('denied.title')} – Lesmodus`;
  show(h('section', { class: 'card denied', 'data-page': 'denied' },
    h('h1', {}, t('denied.title')),
    h('p', {}, t('denied.text')),
    h('a', { class: 'button', href: ctx.user ? homeOf(ctx.user) : '/login' }, t('denied.back'))));
}

function header(user) {
  document.documentElement.lang = lang;
  byId('skip').textContent = t('skip');
  const langButton = byId('lang');
  langButton.textContent = t('lang.switch');
  langButton.addEventListener('click', () => { setLanguage(lang === 'nl' ? 'en' : 'nl'); location.reload(); });
  if (user === null) return;
  byId('who').textContent = `${user.displayName ?? user.username} · ${t(`role.${user.role}`)}`;
  const nav = byId('nav');
  const here = location.pathname;
  const links = user.role === 'teacher' ? [['/lessen', t('nav.lessons')]]
    : user.role === 'admin' ? [['/beheer', adminText(lang, 'title')]] : [['/leiding', t('nav.log')]];
  nav.replaceChildren(...links.map(([href, text]) => h('a', { href, 'aria-current': here.startsWith(href) ? 'page' : undefined }, text)));
  const out = byId('logout');
  out.textContent = t('logout');
  out.hidden = false;
  out.addEventListener('click', async () => { await logOut().catch(() => {}); go('/login'); });
}

async function schoolTimeZone() {
  // The lessons of today carry the school's zone; every time shown is school time.
  const asked = Date.now();
  const [day, policy] = await Promise.all([api('GET', '/api/v1/lessons'), api('GET', '/api/v1/policy')]);
  // "Now" is the server's: the browser's clock only counts on from its answer.
  const offset = day.now - Math.round((asked + Date.now()) / 2);
  return { timeZone: day.timeZone, day, policy, now: () => Date.now() + offset };
}

async function start() {
  const path = location.pathname;
  let user;
  try {
    user = await whoAmI();
  } catch {
    header(null);
    show(h('p', { class: 'error' }, t('error.network')));
    return;
  }
  header(user);
  const ctx = { t, lang, user, show, say, go, denied: () => denied(ctx) };
  if (user === null) {
    if (path !== '/login') return go('/login');
    return renderLogin(ctx, (u) => go(homeOf(u)));
  }
  if (path === '/' || path === '/login') return go(homeOf(user));
  const leaderPage = path === '/leiding' || path.startsWith('/leiding/');
  if (path === '/geen-toegang' || (leaderPage && user.role !== 'leader') || (path === '/beheer' && user.role !== 'admin')) return denied(ctx);
  try {
    // The admin's page needs no lessons (an admin over every school has no timetable of its own).
    // Its account form takes the roles and the password rule from the policy's answer.
    if (path === '/beheer') return await renderAdmin(Object.assign(ctx, { policy: await api('GET', '/api/v1/policy') }));
    const school = await schoolTimeZone();
    Object.assign(ctx, school);
    if (path === '/lessen') return await renderLessons(ctx);
    if (path === '/leiding') return await renderLog(ctx);
    const detail = /^\/leiding\/uitzondering\/(.+)$/.exec(path);
    if (detail !== null) return await renderDetail(ctx, decodeURIComponent(detail[1]));
    denied(ctx);
  } catch (error) {
    // The API has the last word on roles: a 403 anywhere shows the same page.
    if (error instanceof ApiError && error.status === 403) return denied(ctx);
    if (error instanceof ApiError && error.status === 401) return go('/login');
    show(h('p', { class: 'error', role: 'alert' }, t('error.generic', { message: error.message })));
  }
}

start();
