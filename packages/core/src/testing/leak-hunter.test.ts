import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { LeakHunter } from "./leak-hunter.js";

// Values whose UTF-8 length is 0, 1 and 2 mod 3, so base64 is tried at every alignment and tail.
const VALUES = {
  mod0: "CANARY_mod0_k3j9x2_zq",
  mod1: "CANARY_mod1_k3j9x2q_zq",
  mod2: "CANARY_mod2_k3j9x2qw_zq",
  spaced: "CANARY with spaces & symbols +/=?é_zq",
};

/** Noise around a planted form: no canary, but the same alphabets (a separator on each side). */
function noise(): string {
  return ` ${randomBytes(24).toString("base64")} 12, 34 ${randomBytes(6).toString("hex")} `;
}

/**
 * Each form written the way the library that would leak it writes it (not by the hunter's own
 * code), so a form the hunter forgets fails here.
 */
function plantings(value: string): [string, string][] {
  const bytes = Buffer.from(value);
  const out: [string, string][] = [
    ["raw", value],
    ["encodeURIComponent", encodeURIComponent(value)],
    ["form encoding", new URLSearchParams({ field: value }).toString()],
    ["JSON string", JSON.stringify({ message: value })],
    ["hex lower", bytes.toString("hex")],
    ["hex upper", bytes.toString("hex").toUpperCase()],
    ["Buffer inspect", inspect(bytes)],
    ["Buffer JSON (pino)", JSON.stringify({ err: { rawPacket: bytes } })],
    ["Uint8Array inspect", inspect(new Uint8Array(bytes))],
    ["bytes with spaces", [...bytes].join(" ,  ")],
    ["bytes multi-line", inspect([...bytes], { breakLength: 20 })],
  ];
  for (const prefix of [0, 1, 2]) {
    for (const suffix of [0, 1, 2, 5]) {
      const blob = Buffer.concat([randomBytes(prefix), bytes, randomBytes(suffix)]);
      out.push([`base64 at offset ${prefix}, ${suffix} bytes after`, blob.toString("base64")]);
      out.push([`base64url at offset ${prefix}, ${suffix} bytes after`, blob.toString("base64url")]);
    }
  }
  return out;
}

describe("leak hunter", () => {
  for (const [label, value] of Object.entries(VALUES)) {
    test(`catches every planted form of ${label}, in text and in bytes`, () => {
      const hunter = new LeakHunter({ [label]: value });
      for (const [form, planted] of plantings(value)) {
        const haystack = `${noise()}${planted}${noise()}`;
        assert.equal(hunter.find(haystack).length, 1, `${form} in text`);
        assert.equal(
          hunter.find(Buffer.concat([randomBytes(7), Buffer.from(haystack), randomBytes(7)])).length,
          1,
          `${form} in bytes`,
        );
      }
    });
  }

  test("the old base64 check's blind spot: a value of length 1 mod 3 on a 3-byte boundary, followed by more", () => {
    const value = VALUES.mod1;
    assert.equal(Buffer.byteLength(value) % 3, 1);
    const blob = Buffer.concat([Buffer.from("abc"), Buffer.from(value), Buffer.from("xyz")]).toString("base64");
    // What the old hunter searched for: base64 of the value with padding stripped.
    assert.ok(!blob.includes(Buffer.from(value).toString("base64").replace(/=+$/, "")));
    assert.deepEqual(new LeakHunter({ mod1: value }).find(blob), [{ label: "mod1", form: "base64" }]);
  });

  test("names the canary and the form, never the value", () => {
    const hunter = new LeakHunter(new Map([["the admin token", VALUES.mod0]]));
    assert.deepEqual(hunter.find(`x${Buffer.from(VALUES.mod0).toString("hex")}x`, "log"), [
      { label: "the admin token", form: "hex", where: "log" },
    ]);
    assert.throws(
      () => hunter.assertClean(`"data":[${[...Buffer.from(VALUES.mod0)].join(",")}]`, "server log"),
      (error: Error) =>
        error.message === "server log leaked the admin token (decimal-bytes)" && !error.message.includes(VALUES.mod0),
    );
  });

  test("no false positive on clean text, even text made of other canaries' forms", () => {
    const hunter = new LeakHunter(VALUES);
    // Same label and length, another random part (as two canary() calls give).
    const others = ["CANARY_mod0_other1_zq", "CANARY_mod1_k3j9y2q_zq", "CANARY_mod2_x3j9x2qw_zq"];
    let clean = "";
    for (let i = 0; i < 50; i++) clean += noise();
    for (const other of others) for (const [, planted] of plantings(other)) clean += `${planted}\n`;
    clean += JSON.stringify({ level: 30, msg: "request completed", res: { statusCode: 200 }, data: [1, 2, 3] });
    assert.deepEqual(hunter.find(clean), []);
    assert.deepEqual(hunter.find(Buffer.from(clean)), []);
    hunter.assertClean(clean, "clean text");
  });

  test("an empty canary is refused rather than matching everything", () => {
    assert.throws(() => new LeakHunter({ empty: "" }), /canary 'empty' is empty/);
  });
});
