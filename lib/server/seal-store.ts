// The seal store of this process (the database, or the archive of SPILLWAY_ARCHIVE_URL), for routes that
// read sealed hours outside a tick (the Export API).
import { SealStore } from '../export/seal/store';
import { serverConfig } from './config';

let store: SealStore | null = null;

export function sealStore(): SealStore {
  return (store ??= new SealStore(serverConfig().archive, serverConfig().s3));
}
