import { describe, expect, it } from 'vitest';
import { endpointOrigin, FieldError } from './fields';
import { sameStore, storeIdentity } from './endpoint';

const open = { allowPrivate: true };
const id = (e: string, policy: Parameters<typeof storeIdentity>[1] = open) => storeIdentity(endpointOrigin(e), policy);

describe('store identity', () => {
  it('sees one server behind every spelling of the local host', async () => {
    const base = await id('http://127.0.0.1:7480');
    for (const e of [
      'http://localhost:7480',
      'http://0.0.0.0:7480',
      'http://2130706433:7480',
      'http://0x7f000001:7480',
      'http://[::1]:7480',
      'http://127.0.0.2:7480',
      'http://LOCALHOST.:7480',
    ]) {
      expect(sameStore(base, await id(e)), e).toBe(true);
    }
    expect(sameStore(base, await id('http://127.0.0.1:7481'))).toBe(false);
  });

  it('sees a name and the address it resolves to as one server', async () => {
    const resolve = async (h: string) => (h === 'minio.internal' ? ['10.0.0.5'] : []);
    expect(sameStore(await id('http://minio.internal:9000', { allowPrivate: true, resolve }), await id('http://10.0.0.5:9000'))).toBe(true);
  });

  it('treats every AWS spelling as AWS', async () => {
    expect(await id('https://s3.us-east-1.amazonaws.com')).toEqual({ aws: true });
    expect(sameStore(await storeIdentity('', open), await id('https://s3.amazonaws.com'))).toBe(true);
  });

  it('refuses private, local and unresolvable hosts unless allowed', async () => {
    const closed = {
      allowPrivate: false,
      resolve: async (h: string) => (h === 'public.example' ? ['93.184.215.14'] : h === 'rebind.example' ? ['93.184.215.14', '127.0.0.1'] : []),
    };
    for (const e of [
      'http://127.0.0.1:7480',
      'http://localhost',
      'http://0.0.0.0',
      'http://2130706433',
      'http://169.254.169.254',
      'http://10.1.1.1',
      'http://[fd00::1]',
      'http://[::ffff:127.0.0.1]',
      'http://rebind.example',
      'http://nowhere.example',
    ]) {
      await expect(id(e, closed), e).rejects.toBeInstanceOf(FieldError);
    }
    await expect(id('https://public.example', closed)).resolves.toMatchObject({ aws: false, port: 443 });
  });
});
