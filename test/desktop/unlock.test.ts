import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlSocket, type ControlSocket } from '../../src/agent/control/server.ts';
import type { UnlockRequest } from '../../src/agent/sync/sync-client.ts';
import { sendUnlock } from '../../src/desktop/unlock.ts';

/** The unlock window's request, through the agent's real control socket; the school server behind it is a recording stand-in. */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const REQUEST = { code: '483920', allow: { categories: ['social' as const], services: [], capture: [] }, reason: 'Instagram-campagne analyseren' };

describe('sendUnlock', () => {
  let dir: string;
  let control: ControlSocket | undefined;
  afterEach(async () => {
    await control?.close();
    control = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the code, what to allow and why to the agent (no password anywhere), and shows its answer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-tray-unlock-'));
    const sent: UnlockRequest[] = [];
    control = await startControlSocket(join(dir, 'agent.sock'), {
      status: () => undefined, timeZone: 'Europe/Amsterdam', log: quiet,
      sync: {
        unlock: async (request) => {
          sent.push(request);
          const grant = { id: 'g-1', issuedBy: { username: 'jansen', name: 'Dhr. P. Jansen', role: 'teacher', teacherCode: 'JNS' }, reason: request.reason,
            scope: { kind: 'lesson', lessonUid: 'l', lessonStart: Date.parse('2026-12-02T08:20:00Z') }, allow: { categories: ['social'], services: [], capture: [] },
            issuedAt: Date.parse('2026-12-02T08:30:00Z'), expiresAt: Date.parse('2026-12-02T09:10:00Z') };
          return { outcome: { status: 'stored' } as never, signed: { payload: { grant } } };
        },
      },
    });
    const reply = await sendUnlock(join(dir, 'agent.sock'), REQUEST);
    expect(sent).toEqual([{ code: '483920', allow: REQUEST.allow, reason: REQUEST.reason }]);
    expect(reply).toEqual({ ok: true, message: { nl: 'Toegestaan tot 10:10: social (door Dhr. P. Jansen).', en: 'Allowed until 10:10: social (by Dhr. P. Jansen).' } });
  });

  it('says in Dutch and English when the agent is not there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-tray-unlock-'));
    const reply = await sendUnlock(join(dir, 'nobody.sock'), REQUEST);
    expect(reply.ok).toBe(false);
    expect(reply.message.nl).toMatch(/niet bereikbaar/);
  });
});
