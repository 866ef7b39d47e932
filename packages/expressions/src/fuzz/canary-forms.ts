// The forms a secret can take in text once a function has transformed it: the leak checks of the
// fuzz look for every one of them, not only the raw value.

function base64Windows(bytes: Buffer): string[] {
  // A value inside a longer base64 text starts at one of three byte alignments; for each, the
  // characters fixed by the value's bytes alone (no neighbouring byte) are the part to look for.
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k), bytes]);
    const encoded = padded.toString("base64");
    const start = k === 0 ? 0 : 4;
    const end = Math.floor((k + bytes.length) / 3) * 4;
    const window = encoded.slice(start, end);
    if (window.length >= 8) {
      out.push(window, window.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  return out;
}

/** Raw, case-changed, 10-character slices, hex (both cases), URL-encoded, JSON-escaped, base64 at each alignment. */
export function canaryForms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const forms = new Set<string>([
    value,
    value.toUpperCase(),
    value.toLowerCase(),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    ...base64Windows(bytes),
  ]);
  for (let i = 0; i + 10 <= value.length; i++) forms.add(value.slice(i, i + 10));
  return [...forms];
}

/** The first form of `value` that `text` holds, or undefined. */
export function findCanary(text: string, forms: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  return forms.find((form) => text.includes(form) || (form.length >= 10 && lower.includes(form.toLowerCase())));
}
