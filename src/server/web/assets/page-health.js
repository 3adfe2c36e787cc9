// @ts-check
// Device health on the leader's page: every laptop with when it was last
// seen, and per laptop the lessons in which it did not enforce (silent or
// tampered with), one line each, opened to its lessons on demand.

import { request } from './api.js';
import { h } from './dom.js';
import { dateTime, shortDateTime } from './format.js';

const STALE_MS = 24 * 60 * 60_000;

/** @typedef {import('./api-types').ApiReplies['GET /api/v1/devices/not-enforcing']['devices'][number]} MissedLesson */
/** @typedef {{ deviceId: string, hostname: string, studentName: string, lessons: MissedLesson[] }} Laptop */

/**
 * The not-enforcing rows (one per lesson and laptop) per laptop, the laptop
 * that missed most first. Each group's rows keep the API's order (by lesson start).
 * @param {readonly MissedLesson[]} rows
 * @returns {Laptop[]}
 */
export function perLaptop(rows) {
  /** @type {Map<string, Laptop>} */
  const groups = new Map();
  for (const row of rows) {
    const group = groups.get(row.deviceId) ?? { deviceId: row.deviceId, hostname: row.hostname, studentName: row.studentName ?? row.studentId, lessons: [] };
    group.lessons.push(row);
    groups.set(row.deviceId, group);
  }
  return [...groups.values()].sort((a, b) => b.lessons.length - a.lessons.length || a.hostname.localeCompare(b.hostname));
}

/**
 * "LKK-LT-0142 (Sanne de Vries) — 18 lessen stil sinds 2 dec 08:30, 1 keer manipulatie".
 * @param {Laptop} group
 */
export function laptopLine(group, t, timeZone, lang) {
  const silent = group.lessons.filter((l) => l.silent);
  const tamper = group.lessons.reduce((sum, l) => sum + l.tamperEvents, 0);
  const facts = [
    silent.length === 0 ? null : t('health.silentSince', { count: silent.length, since: shortDateTime(silent[0].lesson.start, timeZone, lang) }),
    tamper === 0 ? null : t('health.tampered', { count: tamper }),
  ].filter((f) => f !== null);
  return `${group.hostname} (${group.studentName}) — ${facts.join(', ')}`;
}

export async function loadHealth(ctx, section) {
  const { t, timeZone, lang } = ctx;
  const [{ devices }, missed] = await Promise.all([request('GET /api/v1/devices'), request('GET /api/v1/devices/not-enforcing')]);
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
  // Lessons (last 7 days, and only since each laptop was its student's) in which it was silent or tampered with.
  const groups = perLaptop(missed.devices);
  section.append(h('h3', {}, t('health.notEnforcing')), groups.length === 0 ? h('p', { class: 'muted' }, t('health.allEnforcing'))
    : h('ul', { id: 'not-enforcing', class: 'laptops' }, groups.map((group) => h('li', {},
      h('details', { 'data-device': group.deviceId },
        h('summary', {}, laptopLine(group, t, timeZone, lang)),
        // On a phone each lesson's cells stack, each number beside its column's name (style.css: table.stacked);
        // the roles keep it a table for a screen reader, which a changed display would otherwise drop.
        h('div', { class: 'table-wrap' }, h('table', { class: 'stacked', role: 'table' },
          h('thead', {}, h('tr', { role: 'row' }, [t('health.lesson'), t('health.silent'), t('health.tamper')].map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)))),
          h('tbody', {}, group.lessons.map((m) => h('tr', { role: 'row' },
            // Date and time each kept whole on a phone ("ma 30-11-2026," then "08:30"), never broken at a dash.
            h('td', { role: 'cell' }, dateTime(m.lesson.start, timeZone, lang).split(' ').map((word) => h('span', { class: 'nowrap' }, word)).flatMap((w, i) => (i === 0 ? [w] : [' ', w])),
              ` · ${m.lesson.subject ?? '—'} · ${m.lesson.groups.join(', ').toUpperCase()}`),
            h('td', { class: 'num', role: 'cell', 'data-label': t('health.silent') }, String(Math.round(m.silentMs / 60_000))),
            h('td', { class: 'num', role: 'cell', 'data-label': t('health.tamper') }, String(m.tamperEvents))))))))))));
}
