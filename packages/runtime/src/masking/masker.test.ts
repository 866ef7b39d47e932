import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { maskForms } from "./mask-forms.js";
import { createMasker } from "./masker.js";

// Canaries whose escaped and encoded forms differ from the raw text.
const QUOTED = 'CANARY"q\\b/s+p%c d';
const UNICODE = "CANARY-päss-€-𝄞\tok";

/** Every occurrence of every form, merged when overlapping or touching, as GitHub's runner does it. */
function referenceMask(values: string[], text: string): string {
  const ranges: [number, number][] = [];
  for (const form of maskForms(values)) {
    for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) ranges.push([i, i + form.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let out = "";
  let last = 0;
  let open: [number, number] | undefined;
  for (const [s, e] of ranges) {
    if (open && s <= open[1]) open[1] = Math.max(open[1], e);
    else {
      if (open) {
        out += "***";
        last = open[1];
      }
      out += text.slice(last, s);
      open = [s, e];
    }
  }
  if (open) {
    out += "***";
    last = open[1];
  }
  return out + text.slice(last);
}

function streamAll(values: string[], pieces: string[]): string {
  const stream = createMasker(values).createStream();
  return pieces.map((p) => stream.write(p)).join("") + stream.end();
}

test("the raw value and each of its encodings are masked where they are printed", () => {
  const masker = createMasker([QUOTED, UNICODE]);
  for (const value of [QUOTED, UNICODE]) {
    const bytes = Buffer.from(value, "utf8");
    const forms = {
      raw: value,
      json: JSON.stringify(value).slice(1, -1),
      uri: encodeURIComponent(value),
      form: new URLSearchParams({ v: value }).toString().slice(2),
      base64: bytes.toString("base64"),
      base64url: bytes.toString("base64url"),
      hex: bytes.toString("hex"),
      HEX: bytes.toString("hex").toUpperCase(),
    };
    for (const [name, form] of Object.entries(forms)) {
      if (name !== "raw") assert.notEqual(form, value, `${name} differs from the raw value`);
      assert.equal(masker.maskText(`before ${form} after`), "before *** after", `${name} form of ${value}`);
    }
  }
  const pythonJson = "CANARY-p\\u00e4ss-\\u20ac-\\ud834\\udd1e\\tok";
  assert.equal(masker.maskText(`{"v": "${pythonJson}"}`), '{"v": "***"}', "ASCII-only JSON escapes");
  const nested = JSON.stringify(JSON.stringify({ v: QUOTED }));
  assert.ok(!masker.maskText(nested).includes("CANARY"), `JSON inside JSON: ${masker.maskText(nested)}`);
});

test("base64 of the value inside a larger base64 blob is masked at byte offsets 0, 1 and 2", () => {
  for (const value of [QUOTED, UNICODE, "user:hunter2-password"]) {
    const masker = createMasker([value]);
    const n = Buffer.byteLength(value);
    for (let before = 0; before < 6; before++) {
      for (let after = 0; after < 4; after++) {
        const blob = Buffer.concat([randomBytes(before), Buffer.from(value), randomBytes(after)]).toString("base64");
        const masked = masker.maskText(`data=${blob};`);
        const m = /^data=([A-Za-z0-9+/=]*)\*\*\*([A-Za-z0-9+/=]*);$/.exec(masked);
        assert.ok(m, `one *** in ${masked} (offset ${before})`);
        // What is left unmasked holds at most the characters shared with neighbouring bytes.
        assert.ok(m[1]!.length <= Math.ceil((8 * before) / 6), `left of *** at offset ${before}: ${masked}`);
        const rightStart = blob.length - m[2]!.length;
        assert.ok(rightStart >= Math.floor((8 * (before + n)) / 6), `right of *** at offset ${before}: ${masked}`);
      }
    }
  }
  const alone = Buffer.from(UNICODE).toString("base64");
  assert.equal(createMasker([UNICODE]).maskText(`echo ${alone}`), "echo ***", "padding included when alone");
});

test("overlapping and adjacent values merge into one ***; separated ones stay apart", () => {
  const masker = createMasker(["abcd", "cdef", "xyz9"]);
  assert.equal(masker.maskText("xxabcdefyy"), "xx***yy");
  assert.equal(masker.maskText("abcdxyz9"), "***", "adjacent");
  assert.equal(masker.maskText("abcd abcd"), "*** ***");
  assert.equal(masker.maskText("abcdabcdcdefxyz9!"), "***!");
});

test("the longest value wins where several start at the same place", () => {
  const masker = createMasker(["token", "token-extended-part"]);
  assert.equal(masker.maskText("[token-extended-part]"), "[***]");
  assert.equal(masker.maskText("[token-ext]"), "[***-ext]");
});

test("values of one character (once trimmed) are not masked; two characters are", () => {
  const masker = createMasker(["a", "", " x ", "\n"]);
  assert.equal(masker.patternCount, 0);
  const text = "a x\nb";
  assert.equal(masker.maskText(text), text);
  assert.equal(createMasker(["ab"]).maskText("xaby"), "x***y");
});

test("a masker over no value returns every input unchanged", () => {
  const masker = createMasker([]);
  const value = { a: ["x"] };
  assert.equal(masker.maskValue(value), value);
  assert.equal(masker.maskText("some text"), "some text");
  const stream = masker.createStream();
  assert.equal(stream.write("abc") + stream.end(), "abc");
});

test("a multi-line value is masked line by line, and whole when JSON-escaped", () => {
  const pem =
    "-----BEGIN KEY-----\r\n  MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu  \nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END KEY-----\n";
  const masker = createMasker([pem]);
  const log = "line 2 of the key:   MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n";
  assert.equal(masker.maskText(log), "line 2 of the key:   ***\n");
  assert.equal(masker.maskText(`{"key":${JSON.stringify(pem)}}`), '{"key":"***"}');
  assert.equal(masker.maskText(`a\n${pem}b`), "a\n***b");
});

test("masked text equals GitHub's all-occurrences-merged result on random values and texts", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom("a", "b", "c", "é", "/", "+", "=", " "), maxLength: 6 }), {
        maxLength: 5,
      }),
      fc.string({
        unit: fc.constantFrom("a", "b", "c", "é", "/", "+", "=", " ", "Y", "W", "J", "6", "2"),
        maxLength: 80,
      }),
      (values, text) => {
        assert.equal(createMasker(values).maskText(text), referenceMask(values, text));
      },
    ),
    { numRuns: 3000 },
  );
});

const SAMPLE_VALUES = [QUOTED, UNICODE, "abcd", "cdef", "line-one\nline-two"];
// The longest form must be in the sample: it decides how much a stream holds back.
const LONGEST = maskForms(SAMPLE_VALUES).reduce((a, b) => (b.length > a.length ? b : a));
const SAMPLE = `start ${QUOTED}${UNICODE} abcdef ${encodeURIComponent(QUOTED)} x${Buffer.from(`..${UNICODE}`).toString("base64")} line-two abcd cdef ${JSON.stringify(UNICODE)} ${LONGEST} end`;

test("a stream split at every point (one and two cuts) emits exactly what maskText does, and no value", () => {
  const masker = createMasker(SAMPLE_VALUES);
  const whole = masker.maskText(SAMPLE);
  assert.ok(whole.includes("***") && !whole.includes("CANARY"));
  for (let i = 0; i <= SAMPLE.length; i++) {
    for (let j = i; j <= SAMPLE.length; j += 7) {
      const out = streamAll(SAMPLE_VALUES, [SAMPLE.slice(0, i), SAMPLE.slice(i, j), SAMPLE.slice(j)]);
      assert.equal(out, whole, `cut at ${i}, ${j}`);
    }
  }
  const byChar = streamAll(SAMPLE_VALUES, [...SAMPLE]);
  assert.equal(byChar, whole, "one code point at a time");
  // Written whole code points, every emitted piece is whole code points (UTF-8 has no half pair).
  const emoji = `${"𝄞x".repeat(40)}${"𝄞".repeat(80)}`;
  for (let first = 0; first < 8; first++) {
    const stream = masker.createStream();
    const points = [...emoji];
    const pieces = [stream.write(points.slice(0, first).join("")), ...points.slice(first).map((p) => stream.write(p))];
    pieces.push(stream.end());
    assert.equal(pieces.join(""), emoji);
    for (const piece of pieces) assert.equal(Buffer.from(piece).toString(), piece, "no lone surrogate in a piece");
  }
  const byUnit = streamAll(SAMPLE_VALUES, SAMPLE.split(""));
  assert.equal(byUnit, whole, "one UTF-16 unit at a time");
});

test("a stream never leaks a value whatever the random split, and equals maskText", () => {
  const forms = maskForms(SAMPLE_VALUES);
  const masker = createMasker(SAMPLE_VALUES);
  const whole = masker.maskText(SAMPLE);
  fc.assert(
    fc.property(fc.array(fc.nat(SAMPLE.length), { maxLength: 20 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), SAMPLE.length];
      const pieces = points.slice(1).map((p, k) => SAMPLE.slice(points[k], p));
      const stream = masker.createStream();
      const emitted = pieces.map((p) => stream.write(p));
      const out = emitted.join("") + stream.end();
      assert.equal(out, whole);
      for (const form of forms) assert.ok(!out.includes(form), "no form in the joined output");
      for (const e of emitted) assert.ok(!e.includes("CANARY"), "no value in any emitted piece");
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom("a", "b", "c", "é", "+"), minLength: 2, maxLength: 5 }), {
        maxLength: 4,
      }),
      fc.array(fc.string({ unit: fc.constantFrom("a", "b", "c", "é", "+", "Y"), maxLength: 12 }), { maxLength: 8 }),
      (values, pieces) => {
        assert.equal(streamAll(values, pieces), createMasker(values).maskText(pieces.join("")));
      },
    ),
    { numRuns: 2000 },
  );
});

test("a stream holds back only a short tail and emits the rest at once", () => {
  const masker = createMasker(["a-secret-of-24-chars-xyz"]);
  const stream = masker.createStream();
  const text = "plain log text without any value in it. ".repeat(100);
  const out = stream.write(text);
  assert.ok(text.length - out.length < 100, `held back ${text.length - out.length} chars`);
  assert.equal(out + stream.end(), text);
  assert.equal(stream.write("a-secret-of-") + stream.write("24-chars-xyz!") + stream.end(), "***!", "reusable");
});

test("maskValue masks every string leaf and key in a deep copy and leaves other values alone", () => {
  const masker = createMasker([QUOTED, "tok-12345"]);
  const input = {
    [QUOTED]: "key was the value",
    nested: { list: ["ok", `Bearer tok-12345`, 3, true, null, { deep: [JSON.stringify({ p: QUOTED })] }] },
    count: 7,
    missing: undefined,
    when: new Date(0),
    bytes: Buffer.from("raw tok-12345 bytes"),
  };
  const out = masker.maskValue(input);
  assert.deepEqual(out, {
    "***": "key was the value",
    nested: { list: ["ok", "Bearer ***", 3, true, null, { deep: ['{"p":"***"}'] }] },
    count: 7,
    missing: undefined,
    when: new Date(0),
    bytes: Buffer.from("raw *** bytes"),
  });
  assert.equal(input.nested.list[1], "Bearer tok-12345", "the input is not modified");
  assert.notEqual(out.nested, input.nested);
});

test("maskValue copies cycles as cycles and masks an error's message and stack", () => {
  const masker = createMasker(["tok-12345"]);
  const a: Record<string, unknown> = { name: "tok-12345" };
  a.self = a;
  a.list = [a];
  const out = masker.maskValue(a);
  assert.equal(out.name, "***");
  assert.equal(out.self, out);
  assert.equal((out.list as unknown[])[0], out);
  const error = new TypeError("bad token tok-12345");
  const masked = masker.maskValue({ error }).error;
  assert.ok(masked instanceof TypeError);
  assert.equal(masked.message, "bad token ***");
  assert.ok(!String(masked.stack).includes("tok-12345"));
  assert.equal(Object.keys(masked).length, 0, "message and stack stay non-enumerable");
  const proto = masker.maskValue(JSON.parse('{"__proto__": "tok-12345"}'));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value, "***");
});
