// @ts-check
// The admin page's "school data" section: the timetable feed's last refresh
// (and refresh now), and the two imports a school has exports for: the
// student export of Magister or Somtoday as the roster, and the MDM's device
// export as laptop assignments. An import is always checked first (dryRun):
// the admin sees what would change, or every bad line, before storing.

import { request } from './api.js';
import { h } from './dom.js';

/**
 * One import: a file field, "Controleren" (a dry run that shows the summary
 * or the bad lines), then "Importeren", enabled only after a clean check of
 * that very file.
 */
function importForm(ctx, T, { id, title, help, route, schoolId, summary }) {
  /** @type {string | null} the CSV text that passed the check */
  let checked = null;
  const file = /** @type {HTMLInputElement} */ (h('input', { type: 'file', id: `${id}-file`, accept: '.csv,text/csv', 'aria-describedby': `${id}-help` }));
  const result = h('div', { id: `${id}-result`, 'aria-live': 'polite' });
  const store = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', disabled: true }, T('importStore')));
  file.addEventListener('change', () => { checked = null; store.disabled = true; result.replaceChildren(); });

  async function send(dryRun) {
    const chosen = file.files?.[0];
    if (chosen === undefined) {
      result.replaceChildren(h('p', { class: 'field-error', role: 'alert' }, T('importNoFile')));
      file.focus();
      return;
    }
    const csv = await chosen.text();
    if (!dryRun && csv !== checked) return;
    try {
      const reply = await request(route, { body: { schoolId, dryRun, csv } });
      if (!reply.ok) {
        checked = null;
        store.disabled = true;
        const lines = reply.errors.map((e) => h('li', {}, lineText(ctx, T, e)));
        result.replaceChildren(h('p', { role: 'alert' }, T(reply.errors.length === 1 ? 'importBadOne' : 'importBad', { count: reply.errors.length })), h('ul', { class: 'errors' }, lines));
        return;
      }
      result.replaceChildren(...summary(reply));
      if (dryRun) {
        checked = csv;
        store.disabled = false;
      } else {
        checked = null;
        store.disabled = true;
        ctx.say(T('importDone'));
      }
    } catch (error) {
      ctx.say(T('importFailed', { message: error.message }), 'bad');
    }
  }

  store.addEventListener('click', () => send(false));
  return h('section', { 'aria-labelledby': `${id}-title`, class: 'import' },
    h('h3', { id: `${id}-title` }, title),
    h('p', { id: `${id}-help` }, help),
    h('label', { for: `${id}-file` }, T('importFile')), ' ', file, ' ',
    h('button', { type: 'button', onclick: () => send(true) }, T('importCheck')), ' ', store,
    result);
}

/** A bad line: the roster import says it in both languages, the device import in one. */
function lineText(ctx, T, error) {
  const message = typeof error.message === 'string' ? error.message : error.message[ctx.lang] ?? error.message.nl;
  return error.line > 0 ? T('importLine', { line: error.line, message }) : message;
}

function rosterSummary(T) {
  return (reply) => {
    const c = reply.changes;
    return [
      h('p', {}, T(reply.stored ? 'rosterStored' : 'rosterPreview', { students: reply.students, groups: reply.groups, source: reply.source ?? '' })),
      c === null ? null : h('p', {}, T('rosterChanges', { added: c.newStudents, changed: c.changedStudents, same: c.unchangedStudents })),
      c === null || c.groupsRemoved.length === 0 ? null : h('p', {}, T('rosterGroupsRemoved', { groups: c.groupsRemoved.join(', ') })),
    ];
  };
}

function deviceSummary(T) {
  return (reply) => [
    h('p', {}, T(reply.stored ? 'devicesStored' : 'devicesPreview', { rules: reply.rules.length, skipped: reply.skipped.length })),
    reply.skipped.length === 0 ? null : h('details', {}, h('summary', {}, T('devicesSkipped')),
      h('ul', {}, reply.skipped.map((s) => h('li', {}, T('importLine', { line: s.line, message: s.message }))))),
  ];
}

async function feedPart(ctx, T, schoolId, when) {
  const { feed } = await request('GET /api/v1/timetable/feed', { query: { school: schoolId } });
  if (feed === null) return h('p', { id: 'feed-status' }, T('feedNone'));
  const status = h('p', { id: 'feed-status', 'aria-live': 'polite' });
  const show = (last) => status.replaceChildren(last === null ? T('feedNever')
    : last.ok ? T('feedOk', { time: when(last.at), lessons: last.lessons })
      : T('feedError', { time: when(last.at), message: last.message }));
  show(feed.last);
  return h('div', {},
    h('p', {}, T('feedSource', { source: feed.source, expression: feed.expression })),
    status,
    h('button', { type: 'button', onclick: async () => {
      try {
        show(await request('POST /api/v1/timetable/feed/refresh', { body: { schoolId } }));
      } catch (error) {
        ctx.say(T('importFailed', { message: error.message }), 'bad');
      }
    } }, T('feedRefresh')));
}

/** The section, for one school. `when` formats an instant on the school's clock. */
export async function schoolDataSection(ctx, T, schoolId, when) {
  return h('section', { 'aria-labelledby': 'admin-roster' },
    h('h2', { id: 'admin-roster' }, T('roster')),
    h('h3', {}, T('feed')),
    await feedPart(ctx, T, schoolId, when),
    importForm(ctx, T, { id: 'roster-import', title: T('rosterTitle'), help: T('rosterHelp'), route: 'POST /api/v1/roster/import', schoolId, summary: rosterSummary(T) }),
    importForm(ctx, T, { id: 'device-import', title: T('devicesTitle'), help: T('devicesHelp'), route: 'POST /api/v1/device-rules/import', schoolId, summary: deviceSummary(T) }));
}
