import { describe, expect, it } from 'vitest';
import { inCidr, matchSchoolNetwork, SchoolNetworkConfigSchema } from '../../../src/core/network/school-network.ts';
import { parseInput } from '../../../src/core/validation.ts';

const config = SchoolNetworkConfigSchema.parse({ cidrs: ['10.20.0.0/16', 'fd00:5::/48'], gateways: ['192.168.50.1'], ssids: ['SVOK-Leerlingen'] });
const home = { addresses: ['192.168.1.23', 'fe80::1%wlan0'], gateways: ['192.168.1.1'], ssids: ['Ziggo-1234'] };

describe('school network detection', () => {
  it('matches an address in a school range, IPv4 and IPv6', () => {
    expect(matchSchoolNetwork({ ...home, addresses: ['10.20.14.7'] }, config)).toEqual({ onSchoolNetwork: true, by: 'address' });
    expect(matchSchoolNetwork({ ...home, addresses: ['fd00:5:0:12::abcd'] }, config).by).toBe('address');
    expect(matchSchoolNetwork({ ...home, addresses: ['::ffff:10.20.1.1'] }, config).onSchoolNetwork).toBe(false); // IPv4-mapped is IPv6 here
  });

  it('matches the school gateway or Wi-Fi name', () => {
    expect(matchSchoolNetwork({ ...home, gateways: ['192.168.50.1'] }, config).by).toBe('gateway');
    expect(matchSchoolNetwork({ ...home, ssids: ['SVOK-Leerlingen'] }, config).by).toBe('ssid');
  });

  it('is not fooled by look-alikes at home', () => {
    expect(matchSchoolNetwork(home, config)).toEqual({ onSchoolNetwork: false, by: null });
    expect(matchSchoolNetwork({ ...home, ssids: ['svok-leerlingen'], addresses: ['10.21.0.1'] }, config).onSchoolNetwork).toBe(false);
  });

  it('compares CIDR ranges by their prefix bits', () => {
    expect(inCidr('10.20.255.255', '10.20.0.0/16')).toBe(true);
    expect(inCidr('10.21.0.0', '10.20.0.0/16')).toBe(false);
    expect(inCidr('172.16.5.4', '172.16.4.0/23')).toBe(true);
    expect(inCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(inCidr('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(inCidr('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(inCidr('10.20.0.1', 'fd00:5::/48')).toBe(false);
    for (const junk of ['', 'localhost', '300.1.1.1', '1:2:3:4:5:6:7:8:9', '1::2::3']) expect(inCidr(junk, '0.0.0.0/0')).toBe(false);
  });

  it('names the bad entry in a configuration', () => {
    expect(() => parseInput(SchoolNetworkConfigSchema, { cidrs: ['10.20.0.0/33'], gateways: ['gateway.school'] }, 'config.json')).toThrow(
      /cidrs\[0\]: use a CIDR range[\s\S]*gateways\[0\]: use an IPv4 or IPv6 address/,
    );
  });
});
