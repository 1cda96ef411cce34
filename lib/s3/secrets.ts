// Encryption of per-destination secrets at rest (AES-256-GCM, key derived from SPILLWAY_SECRET_KEY).
// Web Crypto only, so the engine can decrypt on any runtime.
async function keyFrom(secret: string): Promise<CryptoKey> {
  if (!secret || secret.length < 16) throw new Error('SPILLWAY_SECRET_KEY must be set (at least 16 characters) to store credentials');
  const raw = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export async function encryptSecret(plain: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyFrom(secret), new TextEncoder().encode(plain)));
  return `v1:${b64(iv)}:${b64(ct)}`;
}

export async function decryptSecret(enc: string, secret: string): Promise<string> {
  const [v, iv, ct] = enc.split(':');
  if (v !== 'v1' || !iv || !ct) throw new Error('unreadable encrypted secret');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv) }, await keyFrom(secret), unb64(ct));
  return new TextDecoder().decode(plain);
}
