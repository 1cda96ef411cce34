// The credentials one destination's requests are signed with: the server's own (or the connection's
// stored keys), or the project's IAM role assumed with STS and cached until shortly before it expires.
import { classify, ExportError, networkProblem } from './errors';
import type { Credentials, S3Destination, S3Settings } from './settings';
import { decryptSecret } from './secrets';
import { assumeRole, StsError } from './sts';

const roleCache = new Map<string, Credentials>();

export async function resolveCredentials(dest: S3Destination, settings: S3Settings): Promise<Credentials | undefined> {
  let base = settings.baseCredentials;
  if (dest.accessKeyId && dest.secretAccessKeyEnc) {
    base = { accessKeyId: dest.accessKeyId, secretAccessKey: await decryptSecret(dest.secretAccessKeyEnc, settings.secretKey ?? '') };
  }
  if (!dest.roleArn) return base;
  const cacheKey = `${dest.roleArn}\n${base?.accessKeyId ?? ''}\n${settings.stsEndpoint ?? dest.endpoint}`;
  const hit = roleCache.get(cacheKey);
  if (hit?.expiration && hit.expiration.getTime() - Date.now() > 5 * 60_000) return hit;
  try {
    const creds = await assumeRole({
      endpoint: settings.stsEndpoint || dest.endpoint || `https://sts.${dest.region || 'us-east-1'}.amazonaws.com`,
      region: dest.region || 'us-east-1',
      credentials: base ?? (await missingBase()),
      roleArn: dest.roleArn,
      sessionName: `spillway-project-${dest.projectId}`,
      durationSeconds: 3600,
    });
    roleCache.set(cacheKey, creds);
    return creds;
  } catch (e) {
    if (e instanceof ExportError) throw e;
    const err = e as StsError;
    throw classify('AssumeRole', err.status, err.code, err.status === undefined ? networkProblem(e) : err.message, false);
  }
}

async function missingBase(): Promise<Credentials> {
  throw new ExportError('access', 'AssumeRole', 'No server credentials to assume the role with (set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY)', 'credentials');
}
