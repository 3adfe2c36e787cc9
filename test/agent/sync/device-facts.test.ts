import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { systemFacts } from '../../../src/agent/sync/device-facts.ts';

describe('systemFacts', () => {
  it('reports this machine: hostname, OS, the agent version and the login name; a placeholder serial as null', async () => {
    const facts = await systemFacts('9.9.9')();
    expect(facts).toMatchObject({ os: process.platform, agentVersion: '9.9.9', loginName: userInfo().username });
    expect(facts.hostname.length).toBeGreaterThan(0);
    expect(facts.serial === null || /\S/.test(facts.serial)).toBe(true);
  });
});
