// Base64 and Hash functions groups (reference §2.14, §2.15).
import { createHash } from "node:crypto";
import { type FunctionDefinition, FunctionError } from "../function-definition.js";
import { expectString, param } from "./args.js";
import { checkStringLength, limitsOf } from "./limits.js";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function utf8(fn: string, value: unknown): Buffer {
  const text = expectString(fn, "x", value as never);
  if (LONE_SURROGATE.test(text)) {
    throw new FunctionError("parameter 'x' contains a lone surrogate, which UTF-8 cannot encode", "value_error");
  }
  return Buffer.from(text, "utf8");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Python's binascii.a2b_base64 in non-strict mode: foreign characters skipped, padding checked. */
function lenientBase64(text: string): Buffer {
  const out: number[] = [];
  let quad = 0;
  let pads = 0;
  let leftChar = 0;
  let leftBits = 0;
  for (const ch of text) {
    if (ch === "=") {
      if (quad >= 2 && quad + ++pads >= 4) return Buffer.from(out);
      continue;
    }
    const v = DECODE.get(ch);
    if (v === undefined) continue;
    quad = (quad + 1) % 4;
    leftChar = (leftChar << 6) | v;
    leftBits += 6;
    if (leftBits >= 8) {
      leftBits -= 8;
      out.push((leftChar >> leftBits) & 0xff);
      leftChar &= (1 << leftBits) - 1;
    }
  }
  if (quad === 1) {
    throw new FunctionError(
      "invalid base64: the number of data characters cannot be 1 more than a multiple of 4",
      "value_error",
    );
  }
  if (quad !== 0)
    throw new FunctionError("invalid base64: incorrect padding (add '=' to a multiple of 4)", "value_error");
  return Buffer.from(out);
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FunctionError("the decoded bytes are not valid UTF-8 text", "value_error");
  }
}

function hash(name: string, algorithm: string, bits: number): FunctionDefinition {
  return {
    name,
    group: "Hash functions",
    description: `Lower-case hex ${algorithm.toUpperCase()} digest (${bits} bits) of the UTF-8 text.`,
    params: [param("x", "str | bytes")],
    returns: "str",
    call: (args) => createHash(algorithm).update(utf8(name, args[0])).digest("hex"),
  };
}

export const base64Functions: FunctionDefinition[] = [
  {
    name: "to_base64",
    group: "Base64",
    description: "Standard Base64 (with = padding) of the UTF-8 text.",
    params: [param("x", "str")],
    returns: "str",
    call(args, context) {
      const bytes = utf8("to_base64", args[0]);
      checkStringLength("to_base64", Math.ceil(bytes.length / 3) * 4, limitsOf(context));
      return bytes.toString("base64");
    },
  },
  {
    name: "from_base64",
    group: "Base64",
    description: "Decodes standard Base64 to UTF-8 text (foreign characters skipped, padding required).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) => decodeUtf8(lenientBase64(expectString("from_base64", "x", args[0]))),
  },
  {
    name: "to_base64url",
    group: "Base64",
    description: "URL-safe Base64 (- and _, with = padding) of the UTF-8 text.",
    params: [param("x", "str")],
    returns: "str",
    call(args, context) {
      const bytes = utf8("to_base64url", args[0]);
      checkStringLength("to_base64url", Math.ceil(bytes.length / 3) * 4, limitsOf(context));
      return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    },
  },
  {
    name: "from_base64url",
    group: "Base64",
    description: "Decodes URL-safe Base64 to UTF-8 text; padding is required (as in Tracecat).",
    params: [param("x", "str")],
    returns: "str",
    call: (args) =>
      decodeUtf8(lenientBase64(expectString("from_base64url", "x", args[0]).replace(/-/g, "+").replace(/_/g, "/"))),
  },
];

export const hashFunctions: FunctionDefinition[] = [
  hash("hash_md5", "md5", 128),
  hash("hash_sha1", "sha1", 160),
  hash("hash_sha256", "sha256", 256),
  hash("hash_sha512", "sha512", 512),
];
