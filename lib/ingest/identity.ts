// Identity resolution over the identities a batch touches, loaded up front and changed in memory;
// the caller writes the changes back in the same transaction.
//   - a new device without user gets a new amplitude_id;
//   - the first user_id seen on a device takes that device's anonymous amplitude_id;
//   - a known user_id keeps its amplitude_id on any device;
//   - an anonymous amplitude_id whose device logs in as an already-known user is merged into that user;
//   - user_ids are never merged with each other; an anonymous event goes to the device's last user.
import { propertiesFit } from './property-limits';
import type { PendingSet } from './property-sets';
import type { JsonObject } from './validate';

export interface AmpUser {
  amplitudeId: number;
  userId: string | null;
  createdTime: number;
  /** the user's properties as JSON text, always current */
  propsJson: string;
  /** the same parsed, once something needed them (an event's operations, a merge): null until then */
  props: JsonObject | null;
  /** the property_sets row holding propsJson, when one was made since they last changed */
  propsSet: number | null;
  /** a set to be made for propsJson in this transaction (lib/ingest/property-sets.ts) */
  pendingSet?: PendingSet;
  mergedInto: number | null;
  isNew: boolean;
  /** anything changed: written back */
  dirty: boolean;
  /** user_id, created_time or merged_into changed (not just the properties): written back whole */
  identityChanged: boolean;
}

/** A device points at the amplitude_id used on it; that id's user_id is the device's last user. */
export interface Device {
  deviceId: string;
  amplitudeId: number;
  isNew: boolean;
  dirty: boolean;
}

export interface MergeRecord {
  amplitudeId: number;
  mergedAmplitudeId: number;
  mergeTime: number;
  mergeServerTime: number;
}

export interface Resolution {
  user: AmpUser;
  firstEvent: boolean;
  mergedAmplitudeId?: number;
}

/** The user's properties, parsed on first need (most events change none: their text is enough). */
export const userProps = (u: AmpUser): JsonObject => (u.props ??= JSON.parse(u.propsJson) as JsonObject);

/** New properties for the user: written back, and any set made for the old ones no longer applies. */
export function setUserProps(u: AmpUser, props: JsonObject, json: string) {
  u.props = props;
  u.propsJson = json;
  u.propsSet = null;
  u.pendingSet = undefined;
  u.dirty = true;
}

export class IdentityState {
  readonly users = new Map<number, AmpUser>();
  readonly byUserId = new Map<string, number>();
  readonly devices = new Map<string, Device>();
  readonly merges: MergeRecord[] = [];

  constructor(private nextAmplitudeId: number) {}

  // built field by field: a spread of the argument costs several times more (a thousand a request)
  addUser(u: Omit<AmpUser, 'isNew' | 'dirty' | 'identityChanged' | 'props'>) {
    const { amplitudeId, userId, createdTime, propsJson, propsSet, mergedInto } = u;
    this.users.set(amplitudeId, {
      amplitudeId,
      userId,
      createdTime,
      propsJson,
      props: null,
      propsSet,
      mergedInto,
      isNew: false,
      dirty: false,
      identityChanged: false,
    });
    if (userId !== null) this.byUserId.set(userId, amplitudeId);
  }

  addDevice(d: Omit<Device, 'isNew' | 'dirty'>) {
    this.devices.set(d.deviceId, { deviceId: d.deviceId, amplitudeId: d.amplitudeId, isNew: false, dirty: false });
  }

  private create(userId: string | null, eventTime: number): AmpUser {
    const u: AmpUser = {
      amplitudeId: this.nextAmplitudeId++,
      userId,
      createdTime: eventTime,
      propsJson: '{}',
      props: {},
      propsSet: null,
      mergedInto: null,
      isNew: true,
      dirty: true,
      identityChanged: true,
    };
    this.users.set(u.amplitudeId, u);
    if (userId !== null) this.byUserId.set(userId, u.amplitudeId);
    return u;
  }

  private user(aid: number): AmpUser {
    const u = this.users.get(aid);
    if (!u) throw new Error(`identity state: amplitude_id ${aid} was not loaded`);
    return u;
  }

  private point(deviceId: string, aid: number) {
    const d = this.devices.get(deviceId);
    if (!d) {
      this.devices.set(deviceId, { deviceId, amplitudeId: aid, isNew: true, dirty: true });
    } else if (d.amplitudeId !== aid) {
      d.amplitudeId = aid;
      d.dirty = true;
    }
  }

  resolve(userId: string | undefined, deviceId: string | undefined, eventTime: number, serverTime: number): Resolution {
    const device = deviceId !== undefined ? this.devices.get(deviceId) : undefined;
    if (userId === undefined) {
      if (device) return { user: this.user(device.amplitudeId), firstEvent: false };
      const u = this.create(null, eventTime);
      this.point(deviceId!, u.amplitudeId);
      return { user: u, firstEvent: true };
    }

    const known = this.byUserId.get(userId);
    const deviceUser = device ? this.user(device.amplitudeId) : undefined;
    const anonymousOnDevice = deviceUser && deviceUser.userId === null ? deviceUser : undefined;

    if (known !== undefined) {
      const u = this.user(known);
      let mergedAmplitudeId: number | undefined;
      if (anonymousOnDevice && anonymousOnDevice.amplitudeId !== u.amplitudeId) {
        // the anonymous id turns out to be this user: merge it in
        anonymousOnDevice.mergedInto = u.amplitudeId;
        anonymousOnDevice.dirty = anonymousOnDevice.identityChanged = true;
        // the user's own values win; a union past the limits keeps the user's own alone
        const props = { ...userProps(anonymousOnDevice), ...userProps(u) };
        const json = JSON.stringify(props);
        if (json !== u.propsJson && propertiesFit(props, json)) setUserProps(u, props, json);
        u.createdTime = Math.min(u.createdTime, anonymousOnDevice.createdTime);
        u.dirty = u.identityChanged = true;
        this.merges.push({ amplitudeId: anonymousOnDevice.amplitudeId, mergedAmplitudeId: u.amplitudeId, mergeTime: eventTime, mergeServerTime: serverTime });
        mergedAmplitudeId = anonymousOnDevice.amplitudeId;
      }
      if (deviceId !== undefined) this.point(deviceId, u.amplitudeId);
      return { user: u, firstEvent: false, mergedAmplitudeId };
    }

    if (anonymousOnDevice) {
      // first user seen on this device adopts its anonymous id
      anonymousOnDevice.userId = userId;
      anonymousOnDevice.dirty = anonymousOnDevice.identityChanged = true;
      this.byUserId.set(userId, anonymousOnDevice.amplitudeId);
      this.point(deviceId!, anonymousOnDevice.amplitudeId);
      return { user: anonymousOnDevice, firstEvent: false };
    }

    const u = this.create(userId, eventTime);
    if (deviceId !== undefined) this.point(deviceId, u.amplitudeId);
    return { user: u, firstEvent: true };
  }
}
