import { describe, expect, it } from 'vitest';
import { stateNotice } from '../../src/desktop/state-notice.ts';
import { FREE, JANSEN_ALLOWS_SOCIAL, lessonStatus } from './status-fixture.ts';

const AT = '2026-11-23T08:20:00.000Z';
const ZONE = 'Europe/Amsterdam';

describe('state notices', () => {
  it('announce an exception that starts, with who and until when', () => {
    expect(stateNotice(lessonStatus(), lessonStatus(JANSEN_ALLOWS_SOCIAL), AT, ZONE)?.nl).toBe('Uitzondering van M. Jansen tot 09:50: social media');
  });

  it('announce an exception that ends, and what holds now', () => {
    expect(stateNotice(lessonStatus(JANSEN_ALLOWS_SOCIAL), lessonStatus(), AT, ZONE)?.nl).toBe('Uitzondering afgelopen. Lesmodus aan (Engels tot 09:50): social media, opname-apps (art. III.A.1, III.A.2) geblokkeerd');
  });

  it('announce the agent going away and coming back', () => {
    expect(stateNotice(lessonStatus(), null, AT, ZONE)?.nl).toBe('Lesmodus: de agent is niet bereikbaar');
    expect(stateNotice(null, lessonStatus(FREE), AT, ZONE)?.en).toBe('Lesmodus: free, nothing blocked');
  });

  it('stay quiet at start-up, for a lesson change (the agent announces blocks) and for the same status again', () => {
    expect(stateNotice(undefined, lessonStatus(), AT, ZONE)).toBeNull();
    expect(stateNotice(lessonStatus(FREE), lessonStatus(), AT, ZONE)).toBeNull();
    expect(stateNotice(lessonStatus(JANSEN_ALLOWS_SOCIAL), lessonStatus(JANSEN_ALLOWS_SOCIAL), AT, ZONE)).toBeNull();
    expect(stateNotice(null, null, AT, ZONE)).toBeNull();
  });
});
