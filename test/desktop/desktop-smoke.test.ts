import { describe, expect, it } from 'vitest';
import { SMOKE_STATUS, smoke } from '../../scripts/desktop-smoke.ts';
import { TrayStatusSchema } from '../../src/desktop/link-messages.ts';

describe('the desktop smoke script (for the Windows and macOS runners)', () => {
  it('sends a status the tray accepts', () => {
    expect(TrayStatusSchema.safeParse(SMOKE_STATUS).success).toBe(true);
  });

  it('passes a tray that subscribes, takes the status and keeps running', async () => {
    await expect(smoke(process.execPath, ['test/desktop/stand-in-tray.ts'])).resolves.toContain('received a status and kept running');
  });

  it('fails a tray that exits at once', async () => {
    await expect(smoke(process.execPath, ['-e', 'process.exit(7)'])).rejects.toThrow('the tray exited (code 7');
  });

  it('fails a tray that cannot be started', async () => {
    await expect(smoke('/nonexistent/Lesmodus')).rejects.toThrow('the tray did not start');
  });
});
