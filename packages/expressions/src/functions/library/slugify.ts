// python-slugify 8.0.4 with default options, step by step (reference §2.2 `slugify`).
// Transliteration uses the npm port of Perl's Text::Unidecode tables, the same tables
// text-unidecode carries.
import unidecode from "unidecode";
import { HTML4_ENTITIES } from "./html4-entities.js";

const ENTITY = /&([A-Za-z0-9]+);/g;

export function slugify(input: string): string {
  let text = input.replace(/'+/g, "-");
  text = unidecode(text.normalize("NFKD"));
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
