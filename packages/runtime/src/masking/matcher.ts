/** What every masked range becomes, whatever its length (GitHub's and Tracecat's token). */
export const MASK = "***";

/**
 * One matcher over the whole mask set. Every match start is found with a q-gram filter: the
 * text's last four UTF-16 units (low byte each) are packed into one int, hashed, and tested
 * against a bitset of the patterns' first four units; only on a hit are the patterns in that
 * bucket compared. Patterns of two or three units have their own small tables. On text with no
 * match this is one pass of a shift, a multiply and a bit test per character; the bench
 * (bench/masking.bench.ts) measures it against modern-ahocorasick over the same forms.
 *
 * Masking follows GitHub's runner: every occurrence of every pattern, overlapping ones included,
 * is a range; ranges that overlap or touch merge, and each merged range becomes one `***`.
 */
export class PatternMatcher {
  readonly maxLength: number;
  /** Where the last scan left an unfinished masked range, relative to the first unscanned start; -1 if none. */
  openEnd = -1;
  private readonly patterns: readonly string[];
  private readonly t4: Tier | undefined;
  private readonly t3: Tier | undefined;
  private readonly t2: Tier | undefined;

  constructor(patterns: readonly string[]) {
    // Ascending length, so each bucket's chain (built by prepending) runs longest first.
    const sorted = [...patterns].sort((a, b) => a.length - b.length);
    this.patterns = sorted;
    this.maxLength = sorted.length ? sorted[sorted.length - 1]!.length : 0;
    this.t4 = buildTier(sorted, 4);
    this.t3 = buildTier(sorted, 3);
    this.t2 = buildTier(sorted, 2);
  }

  /**
   * Masks `text`, deciding match starts `0 … limit-1` (every pattern starting there must lie
   * inside `text`). `carryEnd` ≥ 0 continues a masked range from before `text` that ends there.
   * When `final` is false, a range that later starts could still extend stays open: its `***`
   * is not written and `openEnd` says where it ends relative to `limit`. Returns the text of
   * positions before `limit` (or all of it when final), masked.
   */
  scan(text: string, limit: number, carryEnd: number, final: boolean): string {
    const n = text.length;
    this.out = "";
    this.last = 0;
    this.runEnd = carryEnd;
    this.touched = carryEnd >= 0;
    const t4 = this.t4;
    const t3 = this.t3;
    const t2 = this.t2;
    const bits4 = t4 === undefined ? EMPTY_BITS : t4.bits;
    const shift4 = t4 === undefined ? 31 : t4.shift;
    const short = t3 !== undefined || t2 !== undefined;
    let x = 0;
    for (let j = 0; j < 3; j++) x = (x << 8) | (j < n ? text.charCodeAt(j) & 0xff : 0);
    // The hot loop: one filter test per start while all four units are in the text.
    const inside = Math.min(limit, n - 3);
    let s = 0;
    for (; s < inside; s++) {
      x = (x << 8) | (text.charCodeAt(s + 3) & 0xff);
      const h = Math.imul(x, HASH) >>> shift4;
      if ((bits4[h >>> 5]! & (1 << h)) !== 0 || (short && this.shortHit(x))) this.matchAt(text, s, x);
    }
    for (; s < limit; s++) {
      x = (x << 8) | (s + 3 < n ? text.charCodeAt(s + 3) & 0xff : 0);
      this.matchAt(text, s, x);
    }
    let out = this.out;
    let last = this.last;
    let runEnd = this.runEnd;
    const stop = final ? n : limit;
    if (runEnd >= 0 && (final || runEnd < limit)) {
      out += MASK;
      last = runEnd;
      runEnd = -1;
    }
    this.openEnd = runEnd >= 0 ? runEnd - limit : -1;
    this.out = "";
    if (!this.touched) return stop === n ? text : text.slice(0, stop);
    return runEnd >= 0 ? out : out + text.slice(last, stop);
  }

  // The state of the scan in progress, touched only where a start passes the filter.
  private out = "";
  private last = 0;
  private runEnd = -1;
  private touched = false;

  private shortHit(x: number): boolean {
    const t3 = this.t3;
    const t2 = this.t2;
    if (t3 !== undefined) {
      const h = Math.imul(x >>> 8, HASH) >>> t3.shift;
      if ((t3.bits[h >>> 5]! & (1 << h)) !== 0) return true;
    }
    if (t2 !== undefined) {
      const h = Math.imul(x >>> 16, HASH) >>> t2.shift;
      if ((t2.bits[h >>> 5]! & (1 << h)) !== 0) return true;
    }
    return false;
  }

  /** Merges the longest match starting at `s` (if any) into the masked ranges. */
  private matchAt(text: string, s: number, x: number): void {
    const length = this.longestAt(text, s, x);
    if (length === 0) return;
    const end = s + length;
    const runEnd = this.runEnd;
    if (runEnd >= 0 && s <= runEnd) {
      if (end > runEnd) this.runEnd = end;
      return;
    }
    if (runEnd >= 0) {
      this.out += MASK;
      this.last = runEnd;
    }
    this.out += text.slice(this.last, s);
    this.runEnd = end;
    this.touched = true;
  }

  private longestAt(text: string, s: number, x: number): number {
    const patterns = this.patterns;
    const t4 = this.t4;
    const t3 = this.t3;
    const t2 = this.t2;
    let length = 0;
    if (t4 !== undefined) length = longest(t4, patterns, text, s, x, Math.imul(x, HASH) >>> t4.shift);
    if (length === 0 && t3 !== undefined) {
      const key = x >>> 8;
      length = longest(t3, patterns, text, s, key, Math.imul(key, HASH) >>> t3.shift);
    }
    if (length === 0 && t2 !== undefined) {
      const key = x >>> 16;
      length = longest(t2, patterns, text, s, key, Math.imul(key, HASH) >>> t2.shift);
    }
    return length;
  }
}

const EMPTY_BITS = new Int32Array(1);

interface Tier {
  readonly shift: number;
  readonly bits: Int32Array;
  readonly head: Int32Array;
  readonly next: Int32Array;
  readonly key: Int32Array;
}

const HASH = 0x9e3779b1 | 0;

function pack(pattern: string, q: number): number {
  let x = 0;
  for (let i = 0; i < q; i++) x = (x << 8) | (pattern.charCodeAt(i) & 0xff);
  return q === 4 ? x : x >>> 0;
}

/** Patterns of length exactly `q` (2, 3), or of at least 4 for q = 4, bucketed by their first q units. */
function buildTier(sorted: readonly string[], q: number): Tier | undefined {
  let count = 0;
  for (const p of sorted) if (q === 4 ? p.length >= 4 : p.length === q) count++;
  if (count === 0) return undefined;
  // ~32 bits per pattern keeps the filter's false-positive rate near 3 %; capped at 64 KiB.
  let bitsLog = 10;
  while (bitsLog < 19 && 1 << bitsLog < count * 32) bitsLog++;
  const size = 1 << bitsLog;
  const tier: Tier = {
    shift: 32 - bitsLog,
    bits: new Int32Array(size >>> 5),
    head: new Int32Array(size).fill(-1),
    next: new Int32Array(sorted.length).fill(-1),
    key: new Int32Array(sorted.length),
  };
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (q === 4 ? p.length < 4 : p.length !== q) continue;
    const key = pack(p, q);
    const h = Math.imul(key, HASH) >>> tier.shift;
    tier.bits[h >>> 5]! |= 1 << h;
    tier.key[i] = key;
    tier.next[i] = tier.head[h]!;
    tier.head[h] = i;
  }
  return tier;
}

/** Length of the longest pattern of the bucket that starts at `s`, or 0. */
function longest(tier: Tier, patterns: readonly string[], text: string, s: number, key: number, h: number): number {
  for (let i = tier.head[h]!; i !== -1; i = tier.next[i]!) {
    if (tier.key[i] !== key) continue;
    const p = patterns[i]!;
    if (text.startsWith(p, s)) return p.length;
  }
  return 0;
}
