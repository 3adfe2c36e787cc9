// Everything a Lesson says besides its times, from one event's text.

import type { EventText } from './event-record.ts';
import { isCancelled, isOnline } from './lesson-flags.ts';
import type { Lesson } from './lesson.ts';
import type { Vendor } from './vendor.ts';
import { parseLabelledDescription, parseSummary } from './vendor-summary.ts';

export type LessonDetails = Pick<Lesson, 'subject' | 'groups' | 'teachers' | 'location' | 'cancelled' | 'online'>;

export function lessonDetails(text: EventText, vendor: Vendor): LessonDetails {
  const summary = text.summary ?? '';
  const description = text.description ?? '';
  const location = text.location ?? '';
  const fromSummary = parseSummary(summary, { vendor, location: text.location });
  const stated = parseLabelledDescription(description);
  return {
    subject: stated.subject ?? fromSummary.subject,
    groups: [...(stated.groups ?? fromSummary.groups)],
    teachers: [...(stated.teachers ?? fromSummary.teachers)],
    // LOCATION is what the feed itself calls the place; a room code in the summary is the fallback.
    location: location || stated.room || fromSummary.room,
    cancelled: isCancelled({ status: text.status, markers: fromSummary.markers, summary, description }),
    online: isOnline({ hasOnlineMeeting: text.hasOnlineMeeting, summary, description, location }),
  };
}

