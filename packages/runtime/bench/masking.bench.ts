// Masking throughput on 10 MB of log-like text with 1,000 random secrets and all their encoded
// forms planted ~2,000 times, against a floor measured in the same run: GitHub's approach, one
// split/join pass per form. Also measured side by side: modern-ahocorasick (the library
// deps.md names) over the same forms, when bench/peers is installed.
// Ratio = our MB/s / the floor's MB/s. Run: npm run bench -- masking
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createMasker, maskForms } from "../src/index.js";

const root = new URL("../../../../", import.meta.url).pathname;
const peersDir = join(root, "bench", "peers");
const MB = 1024 * 1024;
const TEXT_BYTES = 10 * MB;
const SECRETS = 1000;
const PLANTED = 2000;

// A seeded generator, so every run masks the same text.
let seed = 0x2545f491;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
}
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const randomString = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join("");

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SPECIAL = `${ALNUM}${ALNUM}-_.:@"\\/+% `;
const UNICODE = `${ALNUM}äöüéß€`;

/** 12–31 characters; most alphanumeric, some with characters that escape or encode differently. */
function makeSecret(): string {
  const length = 12 + int(20);
  const kind = rand();
  if (kind < 0.6) return randomString(ALNUM, length);
  if (kind < 0.9) return randomString(SPECIAL, length);
  return randomString(UNICODE, length);
}

function encodedForm(secret: string): string {
  const bytes = Buffer.from(secret, "utf8");
  switch (int(8)) {
    case 0:
      return JSON.stringify(secret).slice(1, -1);
    case 1:
      return encodeURIComponent(secret);
    case 2:
      return new URLSearchParams({ q: secret }).toString().slice(2);
    case 3:
      return bytes.toString("hex");
    case 4: {
      // Inside a larger base64 blob, at byte offset 0, 1 or 2.
      const blob = Buffer.concat([
        Buffer.from(randomString(ALNUM, int(9))),
        bytes,
        Buffer.from(randomString(ALNUM, int(9))),
      ]);
      return blob.toString("base64");
    }
    case 5:
      return Buffer.from(`user:${secret}`).toString("base64");
    case 6:
      return bytes.toString("base64url");
    default:
      return secret;
  }
}

const WORDS = "request completed started failed user session token cache miss hit retry queue worker job upstream"
  .split(" ")
  .concat("timeout connection closed opened handshake payload received sent bytes ms status ok".split(" "));

function logLine(i: number): string {
  const ts = `2026-12-06T19:${String(i % 60).padStart(2, "0")}:${String((i * 7) % 60).padStart(2, "0")}.${String(i % 1000).padStart(3, "0")}Z`;
  switch (i % 5) {
    case 0:
      return `${ts} INFO  [req-${randomString("0123456789abcdef", 8)}] GET /api/v1/items?id=${int(99999)}&page=${int(9)} 200 ${int(900)}ms`;
    case 1:
      return `{"level":30,"time":${1765000000000 + i},"msg":"${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}","run":"${randomString(ALNUM, 12)}","n":${int(1000)}}`;
    case 2:
      return `${ts} DEBUG worker-${int(8)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} sha=${randomString("0123456789abcdef", 40)}`;
    case 3:
      return `${ts} WARN  payload=${Buffer.from(randomString(ALNUM, 30)).toString("base64")} ${pick(WORDS)} ${pick(WORDS)}`;
    default:
      return `    at ${pick(WORDS)}${pick(WORDS)} (/srv/app/node_modules/lib/${pick(WORDS)}.js:${int(900)}:${int(80)})`;
  }
}

function makeText(secrets: readonly string[], plant: boolean): { text: string; planted: number } {
  const lines: string[] = [];
  let planted = 0;
  let size = 0;
  const every = Math.floor(TEXT_BYTES / 90 / PLANTED);
  for (let i = 0; size < TEXT_BYTES; i++) {
    let line = logLine(i);
    if (plant && i % every === 0) {
      planted++;
      const secret = pick(secrets);
      const form = rand() < 0.3 ? secret : encodedForm(secret);
      const at = int(line.length);
      line = `${line.slice(0, at)} ${form} ${line.slice(at)}`;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return { text: lines.join("\n"), planted };
}

/** GitHub's approach: one pass per form over the whole text, longest form first. */
function loopMask(forms: readonly string[], text: string): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join("***");
  return out;
}

type PeerMatcher = { replace(t: string, r: string, o?: object): string; match(t: string): boolean };
type PeerCtor = new (patterns: readonly string[]) => PeerMatcher;

function loadPeer(): PeerCtor | string {
  const dir = join(peersDir, "node_modules", "modern-ahocorasick");
  if (!existsSync(dir)) {
    console.log("installing bench/peers (--ignore-scripts)…");
    const r = spawnSync("npm", ["i", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", peersDir], {
      cwd: root,
      stdio: "inherit",
    });
    if (r.status !== 0) return `npm i --prefix bench/peers failed with status ${r.status}`;
  }
  try {
    // The default entry: deps.md records `/fast` as quadratic here.
    return createRequire(join(peersDir, "package.json"))("modern-ahocorasick") as PeerCtor;
  } catch (error) {
    return `modern-ahocorasick could not be loaded: ${(error as Error).message}`;
  }
}

function ms(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Best of `rounds` timings after one warm-up, in ms. */
function best(fn: () => unknown, rounds: number): number {
  fn();
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    min = Math.min(min, ms(fn));
  }
  return min;
}

/** Median time of one build, in ms. */
function buildTime(values: readonly string[], rounds: number): number {
  for (let i = 0; i < 3; i++) createMasker(values);
  const times = Array.from({ length: rounds }, () => ms(() => createMasker(values))).sort((a, b) => a - b);
  return times[Math.floor(rounds / 2)]!;
}

/** Forms found in `output`: by the peer's automaton (it stops at a first match, so no replace cost) and includes(). */
function leaks(forms: readonly string[], output: string, peer: PeerMatcher | undefined): number {
  let found = peer?.match(output) ? 1 : 0;
  const step = peer ? 10 : 1;
  for (let i = 0; i < forms.length; i += step) if (output.includes(forms[i]!)) found++;
  return found;
}

function main(): void {
  const secrets = Array.from({ length: SECRETS }, makeSecret);
  const forms = maskForms(secrets).sort((a, b) => b.length - a.length);
  const { text, planted } = makeText(secrets, true);
  const clean = makeText(secrets, false).text;
  const mb = text.length / MB;
  console.log(
    `masking: ${mb.toFixed(1)} MB of log-like text (${text.length.toLocaleString("en-US")} UTF-16 units), ` +
      `${SECRETS} random 12–31 char secrets → ${forms.length.toLocaleString("en-US")} forms, ${planted} planted raw/encoded occurrences`,
  );

  const build1000 = buildTime(secrets, 9);
  const build10 = buildTime(secrets.slice(0, 10), 201);
  const masker = createMasker(secrets);

  let ours = "";
  const oursMs = best(() => {
    ours = masker.maskText(text);
  }, 5);
  let cleanOut = "";
  const noMatchMs = best(() => {
    cleanOut = masker.maskText(clean);
  }, 5);
  if (cleanOut !== clean) throw new Error("text without a planted value was changed");
  // One pass over the same string that reads every unit: what "no match" is compared with.
  let sink = 0;
  const onePassMs = best(() => {
    for (let i = 0; i < clean.length; i++) sink = (sink + clean.charCodeAt(i)) | 0;
  }, 5);

  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 64 * 1024) chunks.push(text.slice(i, i + 64 * 1024));
  let pieces: string[] = [];
  const streamMs = best(() => {
    const stream = masker.createStream();
    pieces = chunks.map((c) => stream.write(c));
    pieces.push(stream.end());
  }, 3);
  if (pieces.join("") !== ours) throw new Error("stream output differs from maskText");

  // The peer runs on the clean text (its scan alone) and on prefixes of the planted text: its
  // replace grows faster than linearly with planted matches (300 KB did not finish in 40 s).
  const peer = loadPeer();
  let peerBuild: number | undefined;
  let peerCleanMs: number | undefined;
  const peerPrefix: [number, number][] = [];
  let peerMatcher: PeerMatcher | undefined;
  if (typeof peer !== "string") {
    let ac: PeerMatcher | undefined;
    peerBuild = ms(() => {
      ac = new peer(forms);
    });
    peerMatcher = ac;
    peerCleanMs = best(() => ac!.replace(clean, "***", { strategy: "leftmost-longest" }), 1);
    for (const kb of [10, 30, 100]) {
      const prefix = text.slice(0, kb * 1024);
      peerPrefix.push([kb, best(() => ac!.replace(prefix, "***", { strategy: "leftmost-longest" }), 1)]);
    }
  } else {
    console.log(`  modern-ahocorasick not measured: ${peer}`);
  }

  // The floor copies the whole text once per form it finds, so it is measured on a 1 MB prefix
  // (about 1/10 of the occurrences): per MB that is faster than it would be on all 10 MB, so the
  // ratio below is a lower bound.
  const floorText = text.slice(0, MB);
  let floorOut = "";
  const floorMs = ms(() => {
    floorOut = loopMask(forms, floorText);
  });
  const floorMb = floorText.length / MB;

  // Crosswise and independent of our matcher: the peer automaton (when installed) over every
  // form plus includes() over every 10th, or includes() over all; the floor's output is checked
  // by our matcher.
  const oursLeaks = leaks(forms, ours, peerMatcher);
  const floorLeaks = masker.maskText(floorOut) === floorOut ? 0 : 1;
  const masked = ours.split("***").length - 1;

  const rate = (mbs: number, t: number) => `${((mbs / t) * 1000).toFixed(1).padStart(8)} MB/s`;
  const oursRate = (mb / oursMs) * 1000;
  const floorRate = (floorMb / floorMs) * 1000;
  console.log(
    `  floor: GitHub-style loop, split/join per form (${floorMb.toFixed(1)} MB)  ${rate(floorMb, floorMs)}  ${floorMs.toFixed(0)} ms`,
  );
  console.log(
    `  coffer maskText (q-gram matcher, ${masked} *** ranges)            ${rate(mb, oursMs)}  ${oursMs.toFixed(1)} ms  ${(oursRate / floorRate).toFixed(1)}× floor (target ≥ 10×)`,
  );
  console.log(
    `  coffer stream, 64 KiB chunks (same output as maskText)           ${rate(mb, streamMs)}  ${streamMs.toFixed(1)} ms  ${(((mb / streamMs) * 1000) / floorRate).toFixed(1)}× floor`,
  );
  console.log(
    `  coffer maskText on ${(clean.length / MB).toFixed(1)} MB with no match (returns the same string)  ${rate(clean.length / MB, noMatchMs)}  ${noMatchMs.toFixed(1)} ms  ` +
      `${(noMatchMs / onePassMs).toFixed(2)}× the time of one charCodeAt pass (${onePassMs.toFixed(1)} ms)`,
  );
  if (peerCleanMs !== undefined) {
    const oursClean = (clean.length / MB / noMatchMs) * 1000;
    const peerClean = (clean.length / MB / peerCleanMs) * 1000;
    console.log(
      `  modern-ahocorasick 3.3.0 replace (leftmost-longest), same text with no match  ${rate(clean.length / MB, peerCleanMs)}  ${peerCleanMs.toFixed(0)} ms; coffer ${(oursClean / peerClean).toFixed(1)}× faster`,
    );
    const prefixes = peerPrefix.map(([kb, t]) => `${kb} KB ${rate(kb / 1024, t).trim()}`).join(", ");
    console.log(`  modern-ahocorasick on prefixes of the planted text: ${prefixes} (not linear, so not run on 10 MB)`);
  }
  console.log(
    `  build: coffer ${build1000.toFixed(1)} ms for ${SECRETS} secrets (${masker.patternCount.toLocaleString("en-US")} patterns), ` +
      `${(build10 * 1000).toFixed(0)} µs for 10 secrets (${createMasker(secrets.slice(0, 10)).patternCount} patterns)` +
      (peerBuild !== undefined
        ? `; modern-ahocorasick ${peerBuild.toFixed(1)} ms for the same ${forms.length} forms`
        : ""),
  );
  console.log(
    `  leaks (forms left in the output): coffer ${oursLeaks}, floor ${floorLeaks}` +
      (peerMatcher ? " (coffer's checked by modern-ahocorasick over every form and includes() over every 10th)" : ""),
  );
  if (sink === 42) console.log("");
  if (oursLeaks || floorLeaks) process.exit(1);
}

main();
