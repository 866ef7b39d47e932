// String transforms (reference §2.2) with Python's str semantics.

import { pyStr } from "../../values/python-str.js";
import { isDict } from "../../values/types.js";
import type { ExprValue, FunctionDefinition } from "../function-definition.js";
import { expectString, optionalArg, param, typeError, valueError } from "./args.js";
import { checkListLength, checkStringLength, limitsOf, MAX_TEXT } from "./limits.js";
import { pyFormat } from "./python-format.js";
import { checkRenderSize } from "./python-values.js";
import { slugify } from "./slugify.js";
import { pyCapitalize, pyStrip, pyTitle, pyWhitespaceSplit, sliceBounds } from "./text.js";

const GROUP = "String transforms";

function unescapeSeparator(sep: string): string {
  return sep.replace(/\\([ntr\\])/g, (_m, c: string) =>
    c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\",
  );
}

const URL_SAFE = /[A-Za-z0-9_.\-~]/;

function urlEncode(text: string, safe: string): string {
  const safeSet = new Set(safe);
  let out = "";
  for (const ch of text) {
    if (ch.length === 1 && (URL_SAFE.test(ch) || (safeSet.has(ch) && ch.charCodeAt(0) < 0x80))) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff)
      throw valueError("url_encode", "the text contains a lone surrogate, which UTF-8 cannot encode");
    for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function urlDecode(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
  });
}

function affix(fn: string, args: readonly ExprValue[], before: boolean, limit: number): ExprValue {
  const x = args[0] as ExprValue;
  checkRenderSize(x, limit);
  const text = pyStr(args[1] as ExprValue, MAX_TEXT);
  const apply = (item: ExprValue) => {
    const s = pyStr(item, MAX_TEXT);
    checkStringLength(fn, s.length + text.length);
    return before ? text + s : s + text;
  };
  return Array.isArray(x) ? x.map(apply) : apply(x);
}

export const stringFunctions: FunctionDefinition[] = [
  {
    name: "capitalize",
    group: GROUP,
    description: "Upper-cases the first character and lower-cases the rest (Python str.capitalize).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => pyCapitalize(expectString("capitalize", "x", args[0])),
  },
  {
    name: "concat",
    group: GROUP,
    description: "Joins strings with no separator; every argument must be a str.",
    params: [param("items", "str", { variadic: true })],
    returns: "str",
    call(args) {
      // The output is no longer than the inputs together; the evaluator bounds the result.
      args.forEach((item, i) => {
        if (typeof item !== "string") throw typeError("concat", `items[${i}]`, "a str", item);
      });
      return (args as string[]).join("");
    },
  },
  {
    name: "endswith",
    group: GROUP,
    description: "True if the text ends with the given suffix.",
    params: [param("x", "str"), param("suffix", "str")],
    returns: "bool",
    call: (args) => expectString("endswith", "x", args[0]).endsWith(expectString("endswith", "suffix", args[1])),
  },
  {
    name: "format",
    group: GROUP,
    description: "Fills a Python format string ({}, {0}, {:.2f}, {0[key]}) with positional values.",
    params: [param("template", "str"), param("values", "Any", { variadic: true })],
    returns: "str",
    call(args, context) {
      const out = pyFormat(expectString("format", "template", args[0]), args.slice(1));
      checkStringLength("format", out.length, limitsOf(context));
      return out;
    },
  },
  {
    name: "join",
    group: GROUP,
    description: "Joins strings with a separator; \\n, \\t, \\r and \\\\ in the separator are unescaped.",
    params: [param("items", "list[str]"), param("sep", "str")],
    returns: "str",
    call(args, context) {
      const items = args[0] as ExprValue;
      const sep = unescapeSeparator(expectString("join", "sep", args[1]));
      const list = Array.isArray(items)
        ? items
        : typeof items === "string"
          ? [...items]
          : isDict(items)
            ? Object.keys(items)
            : undefined;
      if (!list) throw typeError("join", "items", "a list of str", items);
      let length = 0;
      list.forEach((item, i) => {
        if (typeof item !== "string") throw typeError("join", `items[${i}]`, "a str", item);
        length += item.length + sep.length;
      });
      checkStringLength("join", length, limitsOf(context));
      return (list as string[]).join(sep);
    },
  },
  {
    name: "lowercase",
    group: GROUP,
    description: "Lower-cases the text (full Unicode mapping).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => expectString("lowercase", "x", args[0]).toLowerCase(),
  },
  {
    name: "prefix",
    group: GROUP,
    description: "Puts a prefix before the text, or before str() of each item of a list.",
    params: [param("x", "str | list[str]"), param("prefix", "str")],
    returns: "str | list[str]",
    call: (args, context) => affix("prefix", args, true, limitsOf(context).maxOutputChars),
  },
  {
    name: "replace",
    group: GROUP,
    description: "Replaces every occurrence of a literal substring (not a regex).",
    params: [param("x", "str"), param("old", "str"), param("new", "str")],
    returns: "str",
    call(args, context) {
      const x = expectString("replace", "x", args[0]);
      const old = expectString("replace", "old", args[1]);
      const replacement = expectString("replace", "new", args[2]);
      const parts = old === "" ? ["", ...x, ""] : x.split(old);
      checkStringLength("replace", x.length + (parts.length - 1) * replacement.length, limitsOf(context));
      return old === "" ? (x === "" ? replacement : parts.join(replacement)) : parts.join(replacement);
    },
  },
  {
    name: "slice",
    group: GROUP,
    description:
      "Returns `length` characters (or items) starting at `start_index`; negative starts count from the end.",
    params: [param("x", "str"), param("start_index", "int"), param("length", "int")],
    returns: "str",
    call(args) {
      const x = args[0] as ExprValue;
      const start = args[1];
      const length = args[2];
      for (const [name, v] of [
        ["start_index", start],
        ["length", length],
      ] as const) {
        if (!(typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v)))) {
          throw typeError("slice", name, "an int", v);
        }
      }
      const s = Number(start);
      const e = s + Number(length);
      if (typeof x === "string") {
        const cps = [...x];
        const [a, b] = sliceBounds(s, e, cps.length);
        return cps.slice(a, b).join("");
      }
      if (Array.isArray(x)) {
        const [a, b] = sliceBounds(s, e, x.length);
        return x.slice(a, b);
      }
      throw typeError("slice", "x", "a str or list", x);
    },
  },
  {
    name: "slugify",
    group: GROUP,
    description: "Makes a lower-case ASCII slug with hyphens (python-slugify defaults).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => slugify(expectString("slugify", "x", args[0])),
  },
  {
    name: "split",
    group: GROUP,
    description: "Splits the text on every occurrence of a separator; None splits on runs of whitespace.",
    params: [param("x", "str"), param("sep", "str | None")],
    returns: "list[str]",
    call(args, context) {
      const x = expectString("split", "x", args[0]);
      const sep = args[1];
      if (sep === null) return pyWhitespaceSplit(x);
      const separator = expectString("split", "sep", sep);
      if (separator === "") throw valueError("split", "empty separator: use a non-empty sep, or None for whitespace");
      const parts = x.split(separator);
      checkListLength("split", parts.length, limitsOf(context));
      return parts;
    },
  },
  {
    name: "startswith",
    group: GROUP,
    description: "True if the text starts with the given prefix (Tracecat names the parameter `suffix`).",
    params: [param("x", "str"), param("suffix", "str")],
    returns: "bool",
    call: (args) => expectString("startswith", "x", args[0]).startsWith(expectString("startswith", "suffix", args[1])),
  },
  {
    name: "strip",
    group: GROUP,
    description: "Removes any of the given characters from both ends; None strips whitespace.",
    params: [param("x", "str"), param("chars", "str | None")],
    returns: "str",
    call(args) {
      const x = expectString("strip", "x", args[0]);
      const chars = args[1];
      return pyStrip(x, chars === null ? null : expectString("strip", "chars", chars));
    },
  },
  {
    name: "suffix",
    group: GROUP,
    description: "Puts a suffix after the text, or after str() of each item of a list.",
    params: [param("x", "str | list[str]"), param("suffix", "str")],
    returns: "str | list[str]",
    call: (args, context) => affix("suffix", args, false, limitsOf(context).maxOutputChars),
  },
  {
    name: "titleize",
    group: GROUP,
    description: "Title-cases every word (Python str.title: a letter after any non-letter starts a word).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => pyTitle(expectString("titleize", "x", args[0])),
  },
  {
    name: "uppercase",
    group: GROUP,
    description: "Upper-cases the text (full Unicode mapping: ß becomes SS).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => expectString("uppercase", "x", args[0]).toUpperCase(),
  },
  {
    name: "url_encode",
    group: GROUP,
    description: "Percent-encodes str() of the value as UTF-8; only letters, digits, _.-~ and `safe` stay as they are.",
    params: [param("x", "str | int"), param("safe", "str", { optional: true })],
    returns: "str",
    call(args, context) {
      const safeArg = optionalArg(args, 1);
      const safe = safeArg === undefined ? "" : expectString("url_encode", "safe", safeArg);
      const text = pyStr(args[0] as ExprValue, MAX_TEXT);
      checkStringLength("url_encode", text.length * 3, limitsOf(context));
      return urlEncode(text, safe);
    },
  },
  {
    name: "url_decode",
    group: GROUP,
    description: "Decodes %XX escapes as UTF-8 (invalid bytes become U+FFFD); `+` stays a plus sign.",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => urlDecode(expectString("url_decode", "x", args[0])),
  },
];
