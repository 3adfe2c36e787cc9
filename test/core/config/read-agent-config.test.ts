import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readAgentConfig } from '../../../src/core/config/agent-config.ts';

/** One mistyped value in an MDM profile must cost only itself: the rest of the config keeps every laptop enforcing. */

const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const server = { url: 'https://lesmodus.school.example', enrollmentSecret: 'lme1.abcdefghijklmnopqrstuvwxyz', publicKey };

describe('readAgentConfig', () => {
  it('reads a good config with no problems', () => {
    const reading = readAgentConfig({ schoolNetwork: { cidrs: ['10.20.0.0/16'], ssids: ['SVOK'] }, server });
    expect(reading.problems).toEqual([]);
    expect(reading.refused).toEqual([]);
    expect(reading.config).toEqual({ schoolNetwork: { cidrs: ['10.20.0.0/16'], gateways: [], ssids: ['SVOK'] }, server });
  });

  it('leaves out one mistyped CIDR and keeps the other ranges, the gateways and the server', () => {
    const reading = readAgentConfig({ schoolNetwork: { cidrs: ['10.20.0.0/16', '10.300.0.0/16', 'fd00:5::/48'], gateways: ['10.20.0.1', 'router'] }, server });
    expect(reading.config.schoolNetwork).toEqual({ cidrs: ['10.20.0.0/16', 'fd00:5::/48'], gateways: ['10.20.0.1'], ssids: [] });
    expect(reading.config.server).toEqual(server);
    expect(reading.problems).toEqual([
      'schoolNetwork.cidrs.1: use a CIDR range such as 10.20.0.0/16 or fd00:5::/48; left out',
      'schoolNetwork.gateways.1: use an IPv4 or IPv6 address; left out',
    ]);
    expect(reading.refused).toEqual([]);
  });

  it('refuses a bad server section whole, says so, and keeps the school network', () => {
    const reading = readAgentConfig({ schoolNetwork: { ssids: ['SVOK'] }, server: { ...server, url: 'ftp://lesmodus' } });
    expect(reading.config).toEqual({ schoolNetwork: { cidrs: [], gateways: [], ssids: ['SVOK'] } });
    expect(reading.refused).toEqual(['server']);
    expect(reading.problems).toEqual(['server.url: must be http(s), not ftp:; the server section is ignored']);
  });

  it('names unknown keys, and survives input that is not a config at all', () => {
    expect(readAgentConfig({ sever: {}, schoolNetwork: { cidr: [] } }).problems).toEqual(['sever: unknown key, ignored', 'schoolNetwork.cidr: unknown key, ignored']);
    for (const input of [null, 'config', 42, ['server'], undefined]) {
      const reading = readAgentConfig(input);
      expect(reading.config).toEqual({ schoolNetwork: { cidrs: [], gateways: [], ssids: [] } });
      expect(reading.problems[0]).toMatch(/must be a JSON object/);
    }
    const wrongTypes = readAgentConfig({ schoolNetwork: 'everywhere', server: 'https://x' });
    expect(wrongTypes.refused).toEqual(['schoolNetwork', 'server']);
    expect(wrongTypes.config.schoolNetwork).toEqual({ cidrs: [], gateways: [], ssids: [] });
  });
});
