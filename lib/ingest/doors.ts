// The doors ingestion answers at: Amplitude's JSON APIs (HTTP V2 and Batch) and the form posts of its
// legacy SDKs. A module of its own: every part of ingestion names them, none owns them.
export type JsonDoor = '/2/httpapi' | '/batch';
export type FormDoor = '/' | '/httpapi' | '/identify' | '/groupidentify';
export type IngestDoor = JsonDoor | FormDoor;

export const isJsonDoor = (door: string): door is JsonDoor => door === '/2/httpapi' || door === '/batch';
