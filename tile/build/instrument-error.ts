// A module the binary instrumentation refuses (binary-instrument.ts). Its own file so the CLI
// can recognise it without loading binaryen.
export class InstrumentError extends Error {
  constructor(kernel: string, reason: string) {
    super(`kernel ${kernel}: cannot instrument: ${reason}`);
    this.name = 'InstrumentError';
  }
}
