import { describe, expect, it } from 'vitest';
import { sddlExposure, windowsAclExposure } from '../../../src/agent/config/file-acl.win32.ts';

/**
 * Whether %ProgramData%\Lesmodus\config.json is readable by students, from its
 * security descriptor in SDDL as (Get-Acl).Sddl prints it. PowerShell cannot
 * run here; the descriptors below are the shapes Windows writes.
 */

describe('the Windows config file\'s ACL', () => {
  it('SYSTEM and Administrators only, as the profile\'s script leaves it: root-only', () => {
    expect(sddlExposure('O:SYG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)')).toEqual({ readable: null, writable: null });
    expect(sddlExposure('O:BAG:SYD:PAI(A;;FA;;;S-1-5-18)(A;;FA;;;S-1-5-32-544)')).toEqual({ readable: null, writable: null });
  });

  it('inherited from ProgramData (Users may read and create): readable, so the secret is refused', () => {
    const inherited = 'O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)(A;OICIIOID;GA;;;CO)';
    expect(sddlExposure(inherited)).toEqual({ readable: 'readable by BU (not only SYSTEM and Administrators)', writable: null });
  });

  it('Everyone with rights in the directory-style letters, or Authenticated Users allowed to modify: readable and changeable', () => {
    expect(sddlExposure('O:SYG:SYD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)')).toEqual({
      readable: 'readable by WD (not only SYSTEM and Administrators)', writable: 'changeable by WD (not only SYSTEM and Administrators)',
    });
    expect(sddlExposure('O:SYG:SYD:(A;;0x1301bf;;;AU)').writable).toContain('AU');
  });

  it('a student who owns the file can change its ACL; deny and inherit-only entries expose nothing', () => {
    expect(sddlExposure('O:S-1-5-21-1-2-3-1001G:SYD:PAI(A;;FA;;;SY)').writable).toBe('changeable by S-1-5-21-1-2-3-1001 (its owner) (not only SYSTEM and Administrators)');
    expect(sddlExposure('O:SYG:SYD:PAI(A;;FA;;;SY)(D;;FA;;;BU)(A;OICIIO;GA;;;BU)')).toEqual({ readable: null, writable: null });
  });

  it('an ACL that cannot be read counts as readable by others: the secret is used only when known to be safe', async () => {
    const exposure = windowsAclExposure(async () => ({ code: 1, stdout: '', stderr: 'Get-Acl : access denied' }));
    const result = await exposure('C:\\ProgramData\\Lesmodus\\config.json', {} as never);
    expect(result.readable).toContain('of unknown access (Get-Acl failed: Get-Acl : access denied)');
  });

  it('asks PowerShell about the path as a literal, quotes doubled', async () => {
    let asked: readonly string[] = [];
    await windowsAclExposure(async (_file, args) => {
      asked = args;
      return { code: 0, stdout: 'O:SYG:SYD:PAI(A;;FA;;;SY)\r\n', stderr: '' };
    })("C:\\Data\\O'Brien\\config.json", {} as never);
    expect(asked.at(-1)).toBe("(Get-Acl -LiteralPath 'C:\\Data\\O''Brien\\config.json').Sddl");
  });
});
