// @ts-check
// One exception in full: who (and in which role) allowed what, for whom,
// why, and when each device applied and dropped it. The API audits the look.

import { request } from './api.js';
import { h } from './dom.js';
import { allowedText, dateTime } from './format.js';

export async function renderDetail(ctx, id) {
  const { t, timeZone, lang } = ctx;
  const detail = await request('GET /api/v1/exceptions/:id', { params: { id } });
  const view = detail.grant;
  const { grant } = view;
  const at = (instant) => (instant === null || instant === undefined ? '—' : dateTime(instant, timeZone, lang));
  const scope = grant.scope.kind === 'lesson'
    ? t('detail.lesson', { start: at(grant.scope.lessonStart) })
    : t('detail.window', { start: at(grant.scope.start), end: at(grant.scope.end) });
  const applied = detail.devices.filter((d) => d.appliedAt !== null).length;
  const rows = [
    [t('log.who'), `${grant.issuedBy.name ?? grant.issuedBy.username}${grant.issuedBy.teacherCode ? ` (${grant.issuedBy.teacherCode})` : ''}`],
    [t('detail.role'), t(`role.${grant.issuedBy.role}`)],
    [t('log.reason'), grant.reason],
    [t('log.allowed'), allowedText(grant.allow, t, ctx.policy.serviceNames)],
    [t('log.article'), view.articles.join(', ')],
    [t('detail.scope'), scope],
    [t('log.groups'), view.groups.join(', ').toUpperCase()],
    [t('detail.issued'), at(grant.issuedAt)],
    [t('detail.expires'), at(grant.expiresAt)],
    [t('log.status'), t(`status.${view.status}`)],
    ...(view.revokedAt === null ? [] : [[t('detail.revokedAt'), `${at(view.revokedAt)} (${view.revokedBy ?? '—'})`]]),
    // Given back by a laptop after the server was restored from a backup: say so, naming the laptop.
    ...(view.restoredFrom === null ? [] : [[t('detail.origin'), t('detail.restoredFrom', { host: detail.restoredFromHostname ?? view.restoredFrom })]]),
    ...(detail.consent.registers.length === 0 ? [] : [[t('detail.consent'), t('detail.consentFact', {
      registers: detail.consent.registers.map((r) => `${t(`register.${r.register}`)} (${r.article})`).join(', '),
      year: detail.consent.schoolYear,
      count: detail.consent.studentsWithoutConsent,
    })]]),
  ];
  const needsConsent = detail.consent.registers.length > 0;
  const consentCell = (d) => (d.consent === null ? '—' : d.consent ? t('detail.consentYes') : t('detail.consentNo'));
  document.title = `${t('detail.title')} – Lesmodus`;
  ctx.show(h('section', { 'data-page': 'detail' },
    h('a', { href: '/leiding' }, t('detail.back')),
    h('h1', {}, t('detail.title')),
    h('dl', { class: 'card facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, t('detail.devices', { applied, expected: detail.devicesExpected })),
    detail.devices.length === 0 ? h('p', { class: 'muted' }, t('detail.noDevices')) : h('div', { class: 'table-wrap' }, h('table', { id: 'detail-devices' },
      h('thead', {}, h('tr', {}, [t('health.host'), t('detail.student'), ...(needsConsent ? [t('detail.consent')] : []), t('detail.applied'), t('detail.ended')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, detail.devices.map((d) => h('tr', {},
        h('td', {}, d.hostname), h('td', {}, d.studentName ?? d.studentId ?? '—'),
        needsConsent ? h('td', { class: d.consent ? '' : 'bad', 'data-consent': String(d.consent) }, consentCell(d)) : null,
        h('td', {}, at(d.appliedAt)), h('td', {}, at(d.revokedAt ?? d.expiredAt)))))))));
}
