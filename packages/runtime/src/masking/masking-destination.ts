import type { Masker } from "./masker.types.js";

export interface LineDestination {
  write(line: string): unknown;
}

/**
 * Wraps a pino destination so every serialized line passes the masker current at write time;
 * the one logger is created before any run, and each run swaps in its own masker. pino writes a
 * whole line per call, so no value is split across writes.
 */
export function createMaskingDestination(
  destination: LineDestination,
  getMasker: () => Masker | undefined,
): LineDestination {
  return {
    write(line: string) {
      const masker = getMasker();
      return destination.write(masker === undefined ? line : masker.maskText(line));
    },
  };
}
