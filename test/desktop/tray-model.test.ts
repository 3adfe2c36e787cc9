import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_TOOLTIP, trayModel } from '../../src/desktop/tray-model.ts';
import { AT_SCHOOL_BREAK, FREE, JANSEN_ALLOWS_SOCIAL, lessonStatus } from './status-fixture.ts';

const ZONE = 'Europe/Amsterdam';

describe('the tray model', () => {
  it('shows lesmodus aan with the lesson, its end in Amsterdam time and what is blocked under which article', () => {
    const model = trayModel(lessonStatus(), 'nl', ZONE);
    expect(model.state).toBe('lesson');
    expect(model.icon).toBe('tray-lesson.png');
    expect(model.tooltip).toBe('Lesmodus aan (Engels tot 09:50): social media, opname-apps (art. III.A.1, III.A.2) geblokkeerd');
  });

  it('shows op school between lessons, citing III.A.2', () => {
    const model = trayModel(lessonStatus(AT_SCHOOL_BREAK), 'nl', ZONE);
    expect(model.state).toBe('at-school');
    expect(model.tooltip).toBe('Op school: opname-apps (art. III.A.2) geblokkeerd');
  });

  it('shows vrij when nothing is blocked, and greys out the questions about a block', () => {
    const model = trayModel(lessonStatus(FREE), 'nl', ZONE);
    expect(model.state).toBe('free');
    expect(model.tooltip).toBe('Lesmodus: vrij, niets geblokkeerd');
    expect(model.menu.filter((i) => !i.enabled).map((i) => i.action)).toEqual(['why', 'ask', 'unlock']);
  });

  it('shows an exception with who granted it and until when', () => {
    const model = trayModel(lessonStatus(JANSEN_ALLOWS_SOCIAL), 'nl', ZONE);
    expect(model.state).toBe('exception');
    expect(model.tooltip).toBe('Uitzondering van M. Jansen tot 09:50: social media');
  });

  it('says the agent cannot be reached, and offers no unlock that could not work', () => {
    const model = trayModel(null, 'nl', ZONE);
    expect(model.state).toBe('unreachable');
    expect(model.tooltip).toBe('Lesmodus: de agent is niet bereikbaar');
    expect(model.menu.find((i) => i.action === 'unlock')?.enabled).toBe(false);
  });

  it('puts dry-run above everything else: nothing is enforced, whatever the lesson says', () => {
    const model = trayModel(lessonStatus(JANSEN_ALLOWS_SOCIAL, true), 'nl', ZONE);
    expect(model.state).toBe('dry-run');
    expect(model.tooltip.startsWith('Lesmodus niet gehandhaafd (proefmodus): ')).toBe(true);
  });

  it('says nothing is enforced when the agent knows no student (a root service with nobody at the console)', () => {
    const model = trayModel({ ...lessonStatus(), apps: { state: 'no-student', student: null, from: 'console' } }, 'nl', ZONE);
    expect(model.state).toBe('dry-run');
    expect(model.tooltip).toBe('Lesmodus niet gehandhaafd: de agent weet niet wie er is ingelogd');
    expect(trayModel({ ...lessonStatus(), apps: { state: 'stopping', student: 'sanne', from: 'console' } }, 'nl', ZONE).state).toBe('lesson');
  });

  it('has the menu in Dutch by default and in English on request, with the language checked', () => {
    const nl = trayModel(lessonStatus(), 'nl', ZONE).menu;
    expect(nl.map((i) => i.label)).toEqual(['Status', 'Waarom is dit geblokkeerd?', 'Vraag een uitzondering', 'Docent: ontgrendel met code', 'Nederlands', 'English']);
    expect(nl.find((i) => i.checked)?.label).toBe('Nederlands');
    const en = trayModel(lessonStatus(), 'en', ZONE);
    expect(en.menu.map((i) => i.label).slice(0, 4)).toEqual(['Status', 'Why is this blocked?', 'Ask for an exception', 'Teacher: unlock with a code']);
    expect(en.tooltip).toBe('Lesson mode on (Engels until 09:50): social media, recording apps (art. III.A.1, III.A.2) blocked');
  });

  it('keeps the tooltip within what Windows shows, cutting visibly', () => {
    const long = 'x'.repeat(400);
    const model = trayModel(lessonStatus({ lesson: { subject: long, end: '2026-11-23T08:50:00.000Z', teachers: [], online: false } }), 'nl', ZONE);
    expect(model.tooltip).toHaveLength(MAX_TOOLTIP);
    expect(model.tooltip.endsWith('…')).toBe(true);
  });

  it('shows the lesson end in Amsterdam time across the DST change (last Sunday of October)', () => {
    // 2026-10-26 is the Monday after the change: 09:50 CET is 08:50 UTC.
    const model = trayModel(lessonStatus({ lesson: { subject: 'Engels', end: '2026-10-26T08:50:00.000Z', teachers: [], online: false } }), 'nl', ZONE);
    expect(model.tooltip).toContain('Engels tot 09:50');
    const summer = trayModel(lessonStatus({ lesson: { subject: 'Engels', end: '2026-10-23T07:50:00.000Z', teachers: [], online: false } }), 'nl', ZONE);
    expect(summer.tooltip).toContain('Engels tot 09:50');
  });

  it('names an icon that ships for every state (a PNG in resources/tray)', () => {
    const statuses = [lessonStatus(), lessonStatus(AT_SCHOOL_BREAK), lessonStatus(FREE), lessonStatus(JANSEN_ALLOWS_SOCIAL), null, lessonStatus({}, true)];
    const icons = statuses.map((s) => trayModel(s, 'nl', ZONE).icon);
    expect(new Set(icons).size).toBe(6);
    for (const icon of icons) expect(readFileSync(`resources/tray/${icon}`).subarray(1, 4).toString(), icon).toBe('PNG');
  });

  it('reads a lesson without a subject (the agent sends null) as "les"', () => {
    const model = trayModel(lessonStatus({ lesson: { subject: null, end: '2026-11-23T08:50:00.000Z', teachers: [], online: false } }), 'nl', ZONE);
    expect(model.tooltip.startsWith('Lesmodus aan (les tot 09:50)')).toBe(true);
  });
});
