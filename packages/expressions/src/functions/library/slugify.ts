// python-slugify 8.0.4 with default options, step by step (reference §2.2 `slugify`).
// Transliteration uses the npm port of Perl's Text::Unidecode tables, the same tables
// text-unidecode carries.
import unidecode from "unidecode";
import { HTML4_ENTITIES } from "./html4-entities.js";

const ENTITY = /&([A-Za-z0-9]+);/g;

// The npm tables escape a few characters (`\\@`), map C1 controls like cp1252 and lack some
// blocks that text-unidecode marks as unknown (`[?]`); these corrections align the two.
const missingBlocks = new Map<number, boolean>();

function blockMissing(block: number): boolean {
  let missing = missingBlocks.get(block);
  if (missing === undefined) {
    missing = true;
    for (let i = 0; i < 256 && missing; i++) {
      const cp = (block << 8) | i;
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (unidecode(String.fromCodePoint(cp)) !== "") missing = false;
    }
    missingBlocks.set(block, missing);
  }
  return missing;
}

/** text-unidecode: ASCII as is, astral and control characters dropped, the rest by table. */
export function transliterate(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += ch;
    else if (cp <= 0x9f || cp > 0xffff) continue;
    else {
      const mapped = unidecode(ch).replace(/\\(.)/gs, "$1");
      out += mapped === "" && blockMissing(cp >> 8) ? "[?]" : mapped;
    }
  }
  return out;
}

export function slugify(input: string): string {
  let text = input.replace(/'+/g, "-");
  text = transliterate(text.normalize("NFKD"));
  text = text.replace(ENTITY, (whole, name: string) => {
    const cp = Object.hasOwn(HTML4_ENTITIES, name) ? HTML4_ENTITIES[name] : undefined;
    return cp === undefined ? whole : String.fromCodePoint(cp);
  });
  // Python applies each numeric pass with re.sub inside try/except: one out-of-range reference
  // makes the whole pass a no-op.
  text = safeReplace(text, /&#(\d+);/g, 10);
  text = safeReplace(text, /&#x([\da-fA-F]+);/g, 16);
  text = text.normalize("NFKD").toLowerCase();
  text = text.replace(/'+/g, "");
  text = text.replace(/(?<=\p{Nd}),(?=\p{Nd})/gu, "");
  text = text.replace(/[^-a-zA-Z0-9]+/g, "-");
  text = text.replace(/-{2,}/g, "-");
  return text.replace(/^-+|-+$/g, "");
}

function safeReplace(text: string, pattern: RegExp, radix: number): string {
  let failed = false;
  const out = text.replace(pattern, (_whole, digits: string) => {
    const cp = Number.parseInt(digits, radix);
    if (!(cp <= 0x10ffff)) {
      failed = true;
      return "";
    }
    return String.fromCodePoint(cp);
  });
  return failed ? text : out;
}
