import { describe, expect, it } from 'vitest';
import { canonicalIp, inCidr, isPublicIp } from './address';

describe('addresses', () => {
  it('tells public from loopback, private, link-local, unique-local and mapped forms', () => {
    for (const ip of [
      '127.0.0.1',
      '127.9.9.9',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '[::1]',
      '64:ff9b::7f00:1',
      '64:ff9b::a00:1',
      '64:ff9b:1::808:808',
      '2002:7f00:1::',
      '2002:c0a8:101::1',
      '::ffff:0:7f00:1',
      '::ffff:0:a00:1',
      '::7f00:1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe',
      '2001:0:a00:1::1',
      'ff02::1',
      '224.0.0.1',
      '255.255.255.255',
    ]) {
      expect(isPublicIp(ip), ip).toBe(false);
    }
    for (const ip of ['8.8.8.8', '52.216.0.1', '172.32.0.1', '2600:1f18::1', '::ffff:8.8.8.8', '2002:808:808::1', '64:ff9b::808:808'])
      expect(isPublicIp(ip), ip).toBe(true);
    expect(isPublicIp('localhost')).toBe(false);
  });

  it('canonicalises spellings of one address', () => {
    expect(canonicalIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalIp('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalIp('0:0:0:0:0:0:0:1')).toBe(canonicalIp('::1'));
    expect(canonicalIp('example.com')).toBeNull();
  });

  it('matches CIDRs', () => {
    expect(inCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(inCidr('::ffff:10.0.0.5', '10.0.0.0/24')).toBe(true);
    expect(inCidr('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(inCidr('fd00::5', 'fd00::/8')).toBe(true);
  });
});
