/**
 * The mask set: every form in which a value can surface in text. A value is masked as it is, line
 * by line when it spans lines, and as the encodings tools commonly print (base64 at any byte
 * alignment, base64url, JSON string escapes, URL encodings, hex).
 */
export function maskForms(values: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    // A value that is one character once trimmed (or only whitespace) would mask most of any
    // text; GitHub refuses whitespace-only masks and Tracecat skips single characters.
    if (typeof value !== "string" || value.trim().length <= 1) continue;
    addForms(value, forms);
    // Output is mostly read line by line, so each line of a PEM key or a multi-line token must
    // be masked on its own; the trimmed value catches a value pasted with a stray newline.
    for (const line of value.split(LINE_BREAK)) {
      const trimmed = line.trim();
      if (trimmed.length > 1 && trimmed !== value) addForms(trimmed, forms);
    }
  }
  const result: string[] = [];
  for (const form of forms) if (form.length > 1) result.push(form);
  return result;
}

const LINE_BREAK = /\r\n|\r|\n/;

function addForms(text: string, forms: Set<string>): void {
  forms.add(text);
  const json = JSON.stringify(text).slice(1, -1);
  forms.add(json);
  // Python's json.dumps (ensure_ascii) and many loggers write non-ASCII as \uXXXX escapes.
  forms.add(asciiJson(json));
  // A JSON document logged inside a JSON string escapes the escapes once more.
  forms.add(JSON.stringify(json).slice(1, -1));
  const uri = uriComponent(text);
  if (uri !== undefined) {
    forms.add(uri);
    forms.add(formUrlEncoded(uri));
  }
  const bytes = Buffer.from(text, "utf8");
  const hex = bytes.toString("hex");
  forms.add(hex);
  forms.add(hex.toUpperCase());
  addBase64Forms(bytes, forms);
}

/**
 * Base64 packs 3 bytes into 4 characters, so the characters a value yields depend on its byte
 * offset modulo 3 inside whatever buffer was encoded, and the characters at its edges mix in the
 * neighbouring bytes. For each offset, the characters made only of the value's own bits are the
 * same wherever the value sits: those are the forms. The whole encodings of the value and of the
 * value without its first one or two bytes (what GitHub masks) add the padded tail when the value
 * ends the buffer.
 */
function addBase64Forms(bytes: Buffer, forms: Set<string>): void {
  const n = bytes.length;
  for (let offset = 0; offset < 3; offset++) {
    const shifted = offset === 0 ? bytes : Buffer.concat([Buffer.alloc(offset), bytes]);
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + n)) / 6);
    const inner = shifted.toString("base64").slice(first, end);
    forms.add(inner);
    forms.add(toBase64Url(inner));
    if (offset < n) {
      const whole = bytes.subarray(offset).toString("base64");
      forms.add(whole);
      forms.add(toBase64Url(whole).replace(TRAILING_PADDING, ""));
    }
  }
}

const TRAILING_PADDING = /=+$/;

function toBase64Url(base64: string): string {
  return base64.replaceAll("+", "-").replaceAll("/", "_");
}

function asciiJson(json: string): string {
  return json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const NON_ASCII = /[\u0080-\uffff]/g;

function uriComponent(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate has no UTF-8 form; encodeURIComponent refuses it, and so would any URL.
    return undefined;
  }
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it, from encodeURIComponent's output. */
function formUrlEncoded(uri: string): string {
  return uri.replaceAll("%20", "+").replace(FORM_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const FORM_EXTRA = /[!'()~]/g;
