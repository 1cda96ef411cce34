import { describe, expect, it } from 'vitest';
import { dayPrefixes, eventFileKey, eventHourPrefix, folderProblem, manifestKey, mergedFileKey, normalizePrefix, partOfKey } from './naming';

const hour = Date.UTC(2020, 0, 25, 17);

describe('file names', () => {
  it('follows projectID_yyyy-MM-dd_H#N.json.gz and -OrgID_yyyy-MM-dd_H.json.gz', () => {
    expect(eventFileKey('', 187520, hour, 1)).toBe('187520_2020-01-25_17#1.json.gz');
    expect(mergedFileKey('', 189524, 1, hour)).toBe('-189524_2020-01-25_17.json.gz');
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

describe('date folders', () => {
  const layout = { prefix: 'amp', folders: '{project}/{kind}/dt={date}/hour={HH}/' };
  const h = Date.UTC(2021, 2, 3, 5);
  it("put Amplitude's file names in the hour's folders, merged IDs apart, manifests beside them under _spillway", () => {
    expect(eventFileKey(layout, 7, h, 2)).toBe('amp/7/events/dt=2021-03-03/hour=05/7_2021-03-03_5#2.json.gz');
    expect(mergedFileKey(layout, 9, 7, h)).toBe('amp/7/merged_ids/dt=2021-03-03/hour=05/-9_2021-03-03_5.json.gz');
    expect(manifestKey(layout, 'events', 7, 9, h)).toBe('amp/_spillway/manifests/7/events/dt=2021-03-03/hour=05/7_2021-03-03_5.json');
    expect(partOfKey(eventHourPrefix(layout, 7, h), eventFileKey(layout, 7, h, 12))).toBe(12);
  });
  it('list a day from the folders before the hour', () => {
    expect(dayPrefixes(layout, 'events', 7, 9, h)).toEqual(['amp/7/events/dt=2021-03-03/hour=', 'amp/_spillway/manifests/7/events/dt=2021-03-03/hour=']);
    expect(dayPrefixes('amp/', 'merged', 7, 9, h)).toEqual(['amp/-9_2021-03-03_', 'amp/_spillway/manifests/-9_2021-03-03_']);
  });
  it('refuse templates that are unsafe, ambiguous or mix merged IDs into the events', () => {
    expect(folderProblem('{project}/{kind}/dt={date}/hour={HH}/', true)).toBeNull();
    expect(folderProblem('{yyyy}/{MM}/{dd}/{H}/', false)).toBeNull();
    expect(folderProblem('dt={date}/', false)).toMatch(/hour/);
    expect(folderProblem('hour={HH}/dt={date}/', false)).toMatch(/date .* before the hour/);
    expect(folderProblem('{date}/{HH}/', true)).toMatch(/\{kind\}/);
    expect(folderProblem('../{date}/{HH}/', false)).toMatch(/"\.\."/);
    expect(folderProblem('{date}/{HH}', false)).toMatch(/end with/);
    expect(folderProblem('{date}/{hh}/', false)).toMatch(/not a variable/);
    expect(folderProblem('{date} x/{HH}/', false)).toMatch(/only letters/);
  });
});
