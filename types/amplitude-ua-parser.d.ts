// Types for Amplitude's fork of ua-parser-js 0.7 (it ships none): the part ingestion reads.
declare module '@amplitude/ua-parser-js' {
  interface Result {
    browser: { name?: string; version?: string; major?: string };
    os: { name?: string; version?: string };
    device: { model?: string; vendor?: string; type?: string };
  }
  export default class UAParser {
    constructor(ua?: string);
    getResult(): Result;
  }
}
