// STS AssumeRole with fetch and a Web Crypto SigV4 signature: the SDK's STS client parses XML with
// DOMParser in its browser build, which edge runtimes do not have.
import type { Credentials } from './settings';
import { parseXmlError, xmlValue } from './xml';
import { sha256Hex, toHex } from '../util/hash';

const enc = new TextEncoder();

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

/** RFC 3986 encoding, as SigV4 wants for query and form values. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface AssumeRoleInput {
  endpoint: string;
  region: string;
  credentials: Credentials;
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
}

export class StsError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export async function assumeRole(input: AssumeRoleInput): Promise<Credentials> {
  const url = new URL(input.endpoint);
  const body = [
    ['Action', 'AssumeRole'],
    ['DurationSeconds', String(input.durationSeconds)],
    ['RoleArn', input.roleArn],
    ['RoleSessionName', input.sessionName],
    ['Version', '2011-06-15'],
  ]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = await sha256Hex(body);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host: url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
    ...(input.credentials.sessionToken ? { 'x-amz-security-token': input.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', url.pathname || '/', '', ...names.map((n) => `${n}:${headers[n].trim()}`), '', names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${input.region}/sts/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256Hex(canonical)].join('\n');
  let key = await hmac(enc.encode(`AWS4${input.credentials.secretAccessKey}`), day);
  for (const part of [input.region, 'sts', 'aws4_request']) key = await hmac(key, part);
  const signature = toHex(await hmac(key, toSign));
  const authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;

  let res: Response;
  try {
    const { host: _host, ...sent } = headers;
    res = await fetch(url, { method: 'POST', headers: { ...sent, authorization }, body, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new StsError(undefined, (e as Error)?.name, (e as Error)?.message ?? String(e));
  }
  const text = await res.text();
  if (!res.ok) {
    const { code, message } = parseXmlError(text);
    throw new StsError(res.status, code, message ?? '');
  }
  const accessKeyId = xmlValue(text, 'AccessKeyId');
  const secretAccessKey = xmlValue(text, 'SecretAccessKey');
  const sessionToken = xmlValue(text, 'SessionToken');
  const expiration = xmlValue(text, 'Expiration');
  if (!accessKeyId || !secretAccessKey) throw new StsError(res.status, 'InvalidResponse', 'AssumeRole returned no credentials');
  return { accessKeyId, secretAccessKey, sessionToken, expiration: expiration ? new Date(expiration) : undefined };
}
