import { describe, expect, it } from 'vitest';
import { eventFileKey, eventHourPrefix, mergedFileKey, normalizePrefix, partOfKey } from './naming';

const hour = Date.UTC(2020, 0, 25, 17);

describe('file names', () => {
  it('follows projectID_yyyy-MM-dd_H#N.json.gz and -OrgID_yyyy-MM-dd_H.json.gz', () => {
    expect(eventFileKey('', 187520, hour, 1)).toBe('187520_2020-01-25_17#1.json.gz');
    expect(mergedFileKey('', 189524, hour)).toBe('-189524_2020-01-25_17.json.gz');
  });
  it('does not pad H and puts files under the prefix', () => {
    expect(eventFileKey('exports/amp', 7, Date.UTC(2021, 2, 3, 5), 12)).toBe('exports/amp/7_2021-03-03_5#12.json.gz');
    expect(normalizePrefix('/a/b/')).toBe('a/b/');
    expect(normalizePrefix('')).toBe('');
  });
  it('reads part numbers back, and only of its own hour', () => {
    const p = eventHourPrefix('', 7, Date.UTC(2021, 2, 3, 1));
    expect(partOfKey(p, '7_2021-03-03_1#3.json.gz')).toBe(3);
    expect(partOfKey(p, '7_2021-03-03_11#3.json.gz')).toBeNull();
  });
});
