import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTimetable } from '../../src/adapters/timetable-source.ts';

const zermelo = readFileSync(new URL('../fixtures/timetables/zermelo-student-v4.ics', import.meta.url));
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/rooster.ics') {
      response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' }).end(zermelo);
    } else if (request.url === '/login') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Log in bij Zermelo</body></html>');
    } else {
      response.writeHead(500).end('kapot');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('loading a timetable feed', () => {
  it('fetches a feed over HTTP and imports it', async () => {
    const timetable = await loadTimetable(`${base}/rooster.ics`);
    expect(timetable.lessons[0]).toMatchObject({ uid: '2200101@kennemerlyceum', subject: 'ne', start: Date.parse('2026-11-23T07:30:00Z') });
  });

  it('says which server answered with an error', async () => {
    await expect(loadTimetable(`${base}/gone.ics`)).rejects.toThrow(/answered 500 .* for http:\/\/127\.0\.0\.1:\d+\/gone\.ics/);
  });

  it('refuses a login page served instead of the feed', async () => {
    await expect(loadTimetable(`${base}/login`)).rejects.toThrow(/iCalendar/i);
  });

  it('says when a file does not exist', async () => {
    await expect(loadTimetable('/nonexistent/rooster.ics')).rejects.toThrow('timetable file /nonexistent/rooster.ics does not exist');
  });
});
