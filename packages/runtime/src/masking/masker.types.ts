/**
 * The masking contract. A masker is built once per action run over its mask set (every value the
 * run touched, plus values preprocessors added) and replaces every occurrence of every value and
 * of its encoded forms with `***`.
 */
export interface Masker {
  /** How many patterns (values and their encoded forms) the matcher holds. */
  readonly patternCount: number;
  /** `text` with every match replaced; overlapping and adjacent matches merge into one `***`. */
  maskText(text: string): string;
  /** A deep copy of a JSON-like value with every string leaf and every object key masked. */
  maskValue<T>(value: T): T;
  /** A masker for a stream of chunks that never lets a value through split across chunks. */
  createStream(): MaskingStream;
}

export interface MaskingStream {
  /** Masked text that is safe to emit now; a tail that could still start a match is held back. */
  write(chunk: string): string;
  /** Everything held back, masked. */
  end(): string;
}
