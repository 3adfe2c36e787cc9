// @ts-check
// "Mijn lessen vandaag": today's lessons, each with its exceptions and a
// grant form. Mid-lesson speed matters: the current (or next) lesson's form
// is open already, one tick + a reason + one click grants.

import { newIdempotencyKey, request } from './api.js';
import { h } from './dom.js';
import { allowedText, clock, lessonState, untilInstant } from './format.js';

/** The consent register (art. III.B.9) "social media" needs. */
const SOCIAL_REGISTER = 'social-media';

/** "N leerlingen zonder toestemming …", or null when every student of the lesson has it. */
export function consentLine(t, lesson) {
  const count = lesson.studentsWithoutConsent?.[SOCIAL_REGISTER] ?? 0;
  if (count <= 0) return null;
  return t('consent.missing', { count });
}

export async function renderLessons(ctx) {
  const { t, day } = ctx;
  document.title = `${t('lessons.title')} – Lesmodus`;
  const now = ctx.now();
  const lessons = day.lessons;
  const focus = lessons.find((l) => ['now', 'later'].includes(lessonState(l, now)));
  const cards = await Promise.all(lessons.map((lesson) => lessonCard(ctx, lesson, lesson === focus)));
  ctx.show(h('section', { 'data-page': 'lessons' },
    h('h1', {}, t('lessons.title')),
    h('p', { class: 'muted' }, t('lessons.article')),
    lessons.length === 0 || focus === undefined ? h('p', { class: 'card' }, t('lessons.none')) : null,
    h('ol', { class: 'lessons' }, cards)));
}

async function lessonCard(ctx, lesson, open) {
  const { t, timeZone } = ctx;
  const state = lessonState(lesson, ctx.now());
  const title = [lesson.subject ?? '—', lesson.groups.join(', ').toUpperCase()].join(' · ');
  const grants = h('ul', { class: 'grants', 'aria-label': t('nav.log') });
  const item = h('li', { class: `card lesson ${state}`, 'data-lesson': lesson.uid },
    h('div', { class: 'lesson-head' },
      h('span', { class: 'time' }, `${clock(lesson.start, timeZone)}–${clock(lesson.end, timeZone)}`),
      h('h2', {}, title),
      lesson.location ? h('span', { class: 'muted' }, lesson.location) : null,
      state === 'now' ? h('span', { class: 'badge now' }, t('lessons.now')) : null,
      state === 'cancelled' ? h('span', { class: 'badge' }, t('lessons.cancelled')) : null,
      state === 'past' ? h('span', { class: 'badge' }, t('lessons.past')) : null),
    grants);
  const refresh = () => loadGrants(ctx, lesson, grants);
  await refresh();
  if (state === 'now' || state === 'later') item.append(grantForm(ctx, lesson, open, refresh));
  if (state === 'now') item.append(unlockCodeBox(ctx, lesson));
  return item;
}

/**
 * The code to unlock at a student's laptop for this lesson (the tray's unlock
 * window, or lesmodus agent unlock --code): never the teacher's password, which
 * the student's session could capture. A new one comes when it runs out.
 */
function unlockCodeBox(ctx, lesson) {
  const { t, timeZone } = ctx;
  const code = h('strong', { class: 'unlock-code', 'data-unlock-code': '', 'aria-live': 'polite' }, '…');
  const until = h('span', { class: 'muted' });
  let timer;
  const load = async () => {
    clearTimeout(timer);
    try {
      const reply = await request('GET /api/v1/unlock-code', { query: { lessonUid: lesson.uid, lessonStart: lesson.start } });
      code.textContent = reply.code;
      code.setAttribute('data-unlock-code', reply.code);
      until.textContent = t('unlock.until', { time: clock(reply.validUntil, timeZone) });
      // A fresh code when this one runs out, while the page is open (and the lesson lasts).
      timer = setTimeout(() => { if (box.isConnected) void load(); }, Math.max(1_000, reply.validUntil - ctx.now() + 500));
    } catch {
      code.textContent = '—';
      until.textContent = t('unlock.unavailable');
    }
  };
  const box = h('div', { class: 'unlock' },
    h('span', {}, t('unlock.label'), ' '), code, ' ', until, ' ',
    h('button', { type: 'button', class: 'link', onclick: () => void load() }, t('unlock.renew')));
  void load();
  return box;
}

async function loadGrants(ctx, lesson, list) {
  const { t, timeZone } = ctx;
  const page = await request('GET /api/v1/grants', { query: { lessonUid: lesson.uid, lessonStart: lesson.start } });
  const items = await Promise.all(page.rows.map(async (row) => {
    // Counts only: the portal never shows which student's laptop applied it.
    const open = row.status === 'active' || row.status === 'scheduled';
    const summary = open ? await request('GET /api/v1/grants/:id', { params: { id: row.id } }) : null;
    const allowed = allowedText(row.allow, t, ctx.policy.serviceNames);
    // The button's accessible name says which exception it ends: a screen reader lists many "Intrekken" buttons.
    const revokeLabel = t('grant.revokeLabel', { allowed, groups: lesson.groups.join(', ').toUpperCase(), subject: lesson.subject ?? '', time: clock(lesson.start, timeZone) });
    const revoke = open ? h('button', { type: 'button', class: 'danger', 'aria-label': revokeLabel, onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await request('POST /api/v1/grants/:id/revoke', { params: { id: row.id } });
        ctx.say(t('grant.revoked'));
      } catch (error) {
        ctx.say(t('error.generic', { message: error.message }), 'bad');
      }
      await loadGrants(ctx, lesson, list);
    } }, t('grant.revoke')) : null;
    return h('li', { class: `grant ${row.status}`, 'data-grant': row.id },
      h('div', {},
        h('strong', {}, allowed), ' ',
        h('span', { class: `badge ${row.status}` }, t(`status.${row.status}`)), ' ',
        h('span', { class: 'muted' }, t('grant.until.short', { time: clock(row.expiresAt, timeZone) }), ' · ',
          t('grant.by', { name: row.issuedBy.name ?? row.issuedBy.username }))),
      h('div', { class: 'reason' }, row.reason),
      summary === null ? null : watchApplied(ctx, row.id, summary),
      revoke);
  }));
  list.replaceChildren(...items);
}

/** While the laptops are still taking a new exception in, re-read the count every 2 s (a minute at most). */
const WATCH_EVERY_MS = 2_000;
const WATCH_FOR_MS = 60_000;

function watchApplied(ctx, grantId, summary) {
  const { t } = ctx;
  // Students without the consent it needs (III.B.9): their laptops keep blocking social media. A count, never names.
  const text = (s) => t('grant.applied', { applied: s.devicesApplied, expected: s.devicesExpected })
    + (s.studentsWithoutConsent > 0 ? ` · ${t('grant.withoutConsent', { count: s.studentsWithoutConsent })}` : '');
  const line = h('div', { class: 'applied', 'aria-live': 'polite' }, text(summary));
  const until = Date.now() + WATCH_FOR_MS;
  const tick = async () => {
    // Stop when the list was re-rendered (this line is gone) or every laptop has it.
    if (!line.isConnected || Date.now() > until) return;
    try {
      const next = await request('GET /api/v1/grants/:id', { params: { id: grantId } });
      line.textContent = text(next);
      if (next.devicesApplied >= next.devicesExpected || !['active', 'scheduled'].includes(next.grant.status)) return;
    } catch {
      return; // logged out or offline: the next page load shows the count
    }
    setTimeout(tick, WATCH_EVERY_MS);
  };
  if (summary.devicesApplied < summary.devicesExpected) setTimeout(tick, WATCH_EVERY_MS);
  return line;
}

/**
 * What is wrong with the grant form, in the order of the fields: nothing ticked, no reason,
 * and a "Tot" that is no time or later than the lesson's end (the exception never outlasts the lesson).
 */
export function formProblems(t, { categories, reason, until, lessonEnd }) {
  const problems = [];
  if (categories.length === 0) problems.push({ field: 'what', text: t('grant.needWhat') });
  if (reason.trim().length < 3) problems.push({ field: 'reason', text: t('grant.needReason') });
  const time = /^(\d{1,2}):(\d{2})$/.exec(until);
  if (time === null) problems.push({ field: 'until', text: t('grant.untilInvalid') });
  else if (until.padStart(5, '0') > lessonEnd) problems.push({ field: 'until', text: t('grant.untilTooLate', { until, end: lessonEnd }) });
  return problems;
}

function grantForm(ctx, lesson, open, refresh) {
  const { t, timeZone } = ctx;
  const id = `g-${lesson.start}`;
  // Only what the policy blocks (GET /api/v1/policy): anything else the server would refuse.
  const boxes = ctx.policy.grantable.map((category) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'category', value: category }), ' ', t(`cat.${category}`)));
  const reason = h('input', { id: `${id}-reason`, name: 'reason', maxlength: 500, required: true, minlength: 3, 'aria-describedby': `${id}-reason-hint` });
  // A text field, not type=time: that shows "10:10 AM" in a browser set to English; school time is 24-hour, Dutch style.
  const until = h('input', { id: `${id}-until`, name: 'until', type: 'text', inputmode: 'numeric', autocomplete: 'off', size: 5, maxlength: 5, placeholder: 'uu:mm', value: clock(lesson.end, timeZone), 'aria-describedby': `${id}-until-hint` });
  const error = h('p', { class: 'error', role: 'alert' });
  const consent = h('p', { class: 'consent warning', 'data-consent': '', 'aria-live': 'polite', hidden: true });
  const recordingHint = h('small', { class: 'muted recording-hint', hidden: true }, t('grant.recordingHint'));
  const ticked = () => boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
  const showHints = () => {
    const chosen = ticked();
    const line = chosen.includes('social') ? consentLine(t, lesson) : null;
    consent.textContent = line ?? '';
    consent.hidden = line === null;
    // Categories that record: ticking one shows the III.B.8 reminder about publishing images.
    recordingHint.hidden = !chosen.some((c) => ctx.policy.recording.includes(c));
  };
  for (const box of boxes) box.querySelector('input').addEventListener('change', showHints);
  // Our own checks (novalidate): the message is then in the page's language and read out by the live region.
  const form = h('form', { class: 'grant-form', novalidate: true },
    h('fieldset', {}, h('legend', {}, t('grant.what')), h('div', { class: 'checks' }, boxes), consent, recordingHint),
    h('label', { for: reason.id }, t('grant.reason')), reason,
    h('small', { id: `${id}-reason-hint`, class: 'muted' }, t('grant.reasonHint')),
    h('label', { for: until.id }, t('grant.until')), until,
    h('small', { id: `${id}-until-hint`, class: 'muted' }, t('grant.untilHint')),
    error,
    h('button', { type: 'submit', class: 'primary big' }, t('grant.submit')));
  // One Idempotency-Key per exception the teacher means to make: kept when the answer is lost (a retry
  // after a network error then cannot make a second exception), new once it succeeded or the form changed.
  /** @type {string | null} */
  let attemptKey = null;
  const forget = () => { attemptKey = null; };
  form.addEventListener('input', forget);
  form.addEventListener('change', forget);
  const firstBox = () => boxes[0]?.querySelector('input');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const categories = ticked();
    const problems = formProblems(t, { categories, reason: reason.value, until: until.value, lessonEnd: clock(lesson.end, timeZone) });
    // Every problem at once, each field marked, focus on the first: no fixing one error to meet the next.
    const fields = { what: firstBox(), reason, until };
    for (const [name, field] of Object.entries(fields)) field?.setAttribute('aria-invalid', String(problems.some((p) => p.field === name)));
    if (problems.length > 0) {
      error.replaceChildren(problems.length === 1 ? problems[0].text : h('ul', {}, problems.map((p) => h('li', {}, p.text))));
      fields[problems[0].field]?.focus();
      return;
    }
    error.textContent = '';
    const expiresAt = untilInstant(until.value, lesson.end, timeZone);
    /** @type {import('./api-types').ApiBody<'POST /api/v1/grants'>} */
    const body = { scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start }, allow: { categories }, reason: reason.value.trim() };
    if (expiresAt !== null && expiresAt < lesson.end) body.expiresAt = expiresAt;
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      attemptKey ??= newIdempotencyKey();
      await request('POST /api/v1/grants', { body, headers: { 'idempotency-key': attemptKey } });
      forget();
      ctx.say(t('grant.done'));
      form.reset();
      showHints();
      until.value = clock(lesson.end, timeZone);
      details.open = false;
      await refresh();
    } catch (e) {
      // The server's message is in the page's language already (Accept-Language); field paths are for developers.
      error.textContent = t('error.generic', { message: e.message });
    } finally {
      submit.disabled = false;
    }
  });
  const details = h('details', { class: 'grant-details', open }, h('summary', { class: 'button primary big' }, t('grant.open')), form);
  return details;
}
