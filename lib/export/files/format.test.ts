// The merged-IDs line (event lines: render.test.ts).
import { expect, it } from 'vitest';
import { mergeToJson } from './format';

it('writes merged ids with epoch-ms times', () => {
  const m = { id: 1, projectId: 3, scope: 3, mergeTime: 1000, mergeServerTime: 2000, amplitudeId: 5, mergedAmplitudeId: 4 };
  expect(JSON.parse(mergeToJson(m))).toEqual({ scope: 3, merge_time: 1000, merge_server_time: 2000, amplitude_id: 5, merged_amplitude_id: 4 });
  expect(Object.keys(JSON.parse(mergeToJson(m)))).toEqual(['scope', 'merge_time', 'merge_server_time', 'amplitude_id', 'merged_amplitude_id']);
});
