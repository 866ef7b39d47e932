import { maskForms } from "./mask-forms.js";
import type { Masker, MaskingStream } from "./masker.types.js";
import { PatternMatcher } from "./matcher.js";

/**
 * A masker over `values` and all their encoded forms (see maskForms). Built once per action
 * run; building it for a handful of secrets costs microseconds, and over no value at all every
 * method returns its input as it is.
 */
export function createMasker(values: Iterable<string>): Masker {
  const forms = maskForms(values);
  return forms.length === 0 ? EMPTY_MASKER : new FormMasker(new PatternMatcher(forms), forms.length);
}

const EMPTY_STREAM: MaskingStream = { write: (chunk) => chunk, end: () => "" };

const EMPTY_MASKER: Masker = {
  patternCount: 0,
  maskText: (text) => text,
  maskValue: (value) => value,
  createStream: () => EMPTY_STREAM,
};

class FormMasker implements Masker {
  constructor(
    private readonly matcher: PatternMatcher,
    readonly patternCount: number,
  ) {}

  maskText(text: string): string {
    if (text.length < 2) return text;
    return this.matcher.scan(text, text.length, -1, true);
  }

  maskValue<T>(value: T): T {
    return maskDeep(value, this, new WeakMap()) as T;
  }

  createStream(): MaskingStream {
    return new FormStream(this.matcher);
  }
}

/**
 * Holds back the last `maxLength - 1` characters (a match could start there and end in the
 * next chunk) and, when a masked range reaches them, only where that range ends: its `***` is
 * written once the range can no longer grow, so a range split across chunks is still one `***`.
 * The decisions are the ones maskText makes on the whole text, so any split gives the same output.
 */
class FormStream implements MaskingStream {
  private pending = "";
  private carryEnd = -1;

  constructor(private readonly matcher: PatternMatcher) {}

  write(chunk: string): string {
    const maxLength = this.matcher.maxLength;
    const pending = this.pending;
    // Scanning \`pending + chunk\` would copy every chunk into a new string (V8 flattens the
    // concatenation), which costs more than the scan. Starts inside the held-back tail are
    // decided on the tail plus the head of the chunk; the rest on the chunk itself.
    if (
      pending.length === 0 ||
      (chunk.length >= 2 * maxLength && !isHighSurrogate(pending.charCodeAt(pending.length - 1)))
    ) {
      let out = "";
      if (pending.length > 0) {
        out = this.matcher.scan(pending + chunk.slice(0, maxLength), pending.length, this.carryEnd, false);
        this.carryEnd = this.matcher.openEnd;
      }
      return out + this.scanHeld(chunk);
    }
    return this.scanHeld(pending + chunk);
  }

  /** Masks what can be decided in \`text\` (which starts where the held-back tail did) and holds back the rest. */
  private scanHeld(text: string): string {
    let limit = text.length - this.matcher.maxLength + 1;
    // Never emit half of a surrogate pair: as UTF-8 it would become U+FFFD.
    if (limit > 0 && isHighSurrogate(text.charCodeAt(limit - 1))) limit--;
    if (limit <= 0) {
      this.pending = text;
      return "";
    }
    const out = this.matcher.scan(text, limit, this.carryEnd, false);
    this.carryEnd = this.matcher.openEnd;
    this.pending = text.slice(limit);
    return out;
  }

  /** Flushes; the stream is then empty and may be written to again as a new one. */
  end(): string {
    const text = this.pending;
    const carryEnd = this.carryEnd;
    this.pending = "";
    this.carryEnd = -1;
    if (text.length === 0 && carryEnd < 0) return "";
    return this.matcher.scan(text, text.length, carryEnd, true);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A deep copy in which every string, object key included, is masked. Arrays and plain objects
 * are copied; Maps, Sets, Dates and byte arrays keep their type; an Error keeps its class and its
 * (non-enumerable) message and stack, masked. A cycle in the input is the same cycle in the copy.
 */
function maskDeep(value: unknown, masker: FormMasker, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === "string") return masker.maskText(value);
  if (typeof value !== "object" || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = maskDeep(value[i], masker, seen);
    return copy;
  }
  if (value instanceof Uint8Array) {
    // Bytes holding a secret would reach JSON as numbers no text masker can see.
    const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
    const masked = masker.maskText(text);
    const copy = masked === text ? Buffer.from(value) : Buffer.from(masked, "utf8");
    seen.set(value, copy);
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [k, v] of value) copy.set(maskDeep(k, masker, seen), maskDeep(v, masker, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    seen.set(value, copy);
    for (const v of value) copy.add(maskDeep(v, masker, seen));
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  const copy: Record<string, unknown> = proto === Object.prototype ? {} : Object.create(proto);
  seen.set(value, copy);
  const source = value as Record<string, unknown>;
  // An Error's message and stack are own but not enumerable; copying only enumerable keys would
  // drop the text that most often quotes a value.
  const keys = value instanceof Error ? Object.getOwnPropertyNames(value) : Object.keys(value);
  for (const key of keys) {
    const masked = maskDeep(source[key], masker, seen);
    const maskedKey = masker.maskText(key);
    if (maskedKey === "__proto__" || value instanceof Error) {
      Object.defineProperty(copy, maskedKey, {
        value: masked,
        writable: true,
        configurable: true,
        enumerable: Object.prototype.propertyIsEnumerable.call(value, key),
      });
    } else {
      copy[maskedKey] = masked;
    }
  }
  return copy;
}
