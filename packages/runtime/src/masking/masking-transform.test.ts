import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { test } from "node:test";
import { createMasker } from "./masker.js";
import { createMaskingTransform } from "./masking-transform.js";

const SECRET = "pässwörd-€-𝄞-42";

async function collect(chunks: (Buffer | string)[]): Promise<string> {
  const out: Buffer[] = [];
  const transform = createMaskingTransform(createMasker([SECRET]));
  transform.on("data", (b: Buffer) => out.push(b));
  await pipeline(Readable.from(chunks, { objectMode: false }), transform);
  return Buffer.concat(out).toString("utf8");
}

test("a value and multi-byte characters split across Buffers at every byte come out masked and intact", async () => {
  const text = `ünïcödé 𝄞 before ${SECRET} after €\n`;
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i <= bytes.length; i++) {
    const out = await collect([bytes.subarray(0, i), bytes.subarray(i)]);
    assert.equal(out, "ünïcödé 𝄞 before *** after €\n", `cut at byte ${i}`);
  }
  const oneByteAtATime = await collect([...bytes].map((b) => Buffer.from([b])));
  assert.equal(oneByteAtATime, "ünïcödé 𝄞 before *** after €\n");
  assert.equal(await collect(["string ", `chunks ${SECRET}`]), "string chunks ***");
});

test("a child process's stdout piped through the transform never shows the value", async () => {
  const child = spawn(
    process.execPath,
    ["-e", `const s = process.argv[1]; for (const c of s) process.stdout.write(c); console.log(" done");`, SECRET],
    { stdio: ["ignore", "pipe", "inherit"], env: {} },
  );
  const out: Buffer[] = [];
  const transform = createMaskingTransform(createMasker([SECRET]));
  transform.on("data", (b: Buffer) => out.push(b));
  await pipeline(child.stdout, transform);
  assert.equal(Buffer.concat(out).toString("utf8"), "*** done\n");
});
