import { freshRandom } from "../crypto/random.js";

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7: 48 bits of Unix milliseconds, a 12-bit counter, then 62 random bits. Ids made one
 * after another in this process sort one after another, also within one millisecond (the counter
 * starts at a random value below 2048 each millisecond and counts up; past 4095 the timestamp
 * moves on by one): lists ordered by id ("newest first") then keep creation order, and each
 * insert lands at the right edge of its B-tree index instead of on a random page. Still
 * unguessable: 62 random bits, plus the counter's random start.
 */
export function newId(): string {
  const b = freshRandom(16);
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = (((b[6] ?? 0) << 8) | (b[7] ?? 0)) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 128 random bits as 22 base62 characters (`wf_…` ids). */
export function newBase62Id(): string {
  let n = BigInt(`0x${freshRandom(16).toString("hex")}`);
  let out = "";
  for (let i = 0; i < 22; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}
