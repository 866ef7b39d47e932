// The one leak hunter of every suite (HTTP, CLI, the runtime): given named canary values, it
// searches a text or a byte haystack for each value in every form a log line, a response, an
// error or a database file could hold it in. Findings name the canary and the form, never the value.

/** How a leaked value was written where it was found. */
export type LeakForm =
  | "raw"
  | "url-encoded"
  | "form-encoded"
  | "json-escaped"
  | "hex"
  | "decimal-bytes"
  | "base64"
  | "base64url";

export interface Leak {
  /** The canary's label (never its value). */
  label: string;
  form: LeakForm;
  /** Where it was found, when the caller said (e.g. "server log"). */
  where?: string;
}

/** Canaries by label: a record, a map, or [label, value] pairs. */
export type Canaries = Readonly<Record<string, string>> | ReadonlyMap<string, string> | Iterable<[string, string]>;

/** Forms shorter than this are not searched: they would match by chance. */
const MIN_NEEDLE = 8;

interface Needle {
  form: LeakForm;
  /** Latin-1 view of the needle's UTF-8 bytes, or a pattern over that view. */
  find: string | RegExp;
}

/** A string's UTF-8 bytes, one char per byte: the common view of text and byte haystacks. */
function bytesView(input: string | Uint8Array): string {
  return Buffer.from(input as string).toString("latin1");
}

/**
 * The base64 characters fully determined by `value` when it sits `shift` bytes into a larger
 * blob: base64(prefix + value) without the characters that mix in prefix or following bytes.
 */
function base64Core(value: Buffer, shift: number, alphabet: "base64" | "base64url"): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), value]).toString(alphabet);
  const start = Math.ceil((8 * shift) / 6);
  const end = Math.floor((8 * (shift + value.length)) / 6);
  return encoded.slice(start, end);
}

function needlesFor(value: string): Needle[] {
  const bytes = Buffer.from(value, "utf8");
  const needles: Needle[] = [];
  const seen = new Set<string>();
  const add = (form: LeakForm, text: string) => {
    if (text.length < MIN_NEEDLE) return;
    const view = bytesView(text);
    const key = `${form}\u0000${view}`;
    if (seen.has(key)) return;
    seen.add(key);
    needles.push({ form, find: view });
  };
  add("raw", value);
  add("url-encoded", encodeURIComponent(value));
  add("form-encoded", new URLSearchParams({ v: value }).toString().slice(2));
  add("json-escaped", JSON.stringify(value).slice(1, -1));
  // JSON.stringify leaves non-ASCII as is; some serialisers write \uXXXX instead.
  add(
    "json-escaped",
    JSON.stringify(value)
      .slice(1, -1)
      .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
  );
  for (const shift of [0, 1, 2]) {
    add("base64", base64Core(bytes, shift, "base64"));
    add("base64url", base64Core(bytes, shift, "base64url"));
  }
  if (bytes.length * 2 >= MIN_NEEDLE) {
    // Hex in either case, packed (`636f`) or spaced as Node prints a Buffer (`<Buffer 63 6f>`).
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
    needles.push({ form: "hex", find: new RegExp(hex.join("[ \\t:]?"), "i") });
  }
  if (bytes.length >= 3) {
    // Decimal bytes as JSON (`"data":[99,111]`) or util.inspect (`[ 99, 111 ]`) print them.
    needles.push({ form: "decimal-bytes", find: new RegExp(`(?<!\\d)${[...bytes].join("\\s*,\\s*")}(?!\\d)`) });
  }
  return needles;
}

function entries(canaries: Canaries): [string, string][] {
  if (canaries instanceof Map) return [...canaries.entries()];
  if (Symbol.iterator in Object(canaries)) return [...(canaries as Iterable<[string, string]>)];
  return Object.entries(canaries as Record<string, string>);
}

/** A set of named canaries, their forms computed once, to search many haystacks with. */
export class LeakHunter {
  readonly #canaries: { label: string; needles: Needle[] }[] = [];

  constructor(canaries: Canaries = []) {
    for (const [label, value] of entries(canaries)) this.add(label, value);
  }

  /** Hunts for `value` from now on; findings call it `label`. */
  add(label: string, value: string): this {
    if (value.length === 0) throw new Error(`canary '${label}' is empty`);
    this.#canaries.push({ label, needles: needlesFor(value) });
    return this;
  }

  get size(): number {
    return this.#canaries.length;
  }

  /** Every canary found in `haystack`, with the first form it was found in. */
  find(haystack: string | Uint8Array, where?: string): Leak[] {
    const view = bytesView(haystack);
    const found: Leak[] = [];
    for (const canary of this.#canaries) {
      for (const needle of canary.needles) {
        const hit = typeof needle.find === "string" ? view.includes(needle.find) : needle.find.test(view);
        if (hit) {
          found.push({ label: canary.label, form: needle.form, ...(where === undefined ? {} : { where }) });
          break;
        }
      }
    }
    return found;
  }

  /** Throws, naming each canary and form (never a value), when any canary is in `haystack`. */
  assertClean(haystack: string | Uint8Array, where: string): void {
    const leaks = this.find(haystack, where);
    if (leaks.length > 0) throw new Error(`${where} leaked ${describeLeaks(leaks)}`);
  }
}

/** "label (form), …": a failure message that never holds a value. */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((l) => `${l.label} (${l.form})`).join(", ");
}

/** Every canary of `canaries` found in `haystack`. */
export function findLeaks(haystack: string | Uint8Array, canaries: Canaries): Leak[] {
  return new LeakHunter(canaries).find(haystack);
}
