// Python's datetime, date, time and timedelta as expression values (reference §1.5, §3.11):
// naive vs aware, microsecond precision, fixed offsets vs IANA zones (wall-clock arithmetic,
// fold=0 for ambiguous and missing local times), Python's str()/repr() and ISO/JSON forms.
import { IANAZone } from "luxon";
import { ExprObject, type ExprValue, FunctionError, type ObjectOperator } from "../function-definition.js";
import { civilFromDays, daysFromCivil, floorDiv, floorMod, formatOffset, pad } from "./calendar.js";
import { strftime } from "./strftime.js";

export { civilFromDays, daysFromCivil, floorDiv, floorMod, formatOffset };

export type TzInfo =
  | { readonly kind: "fixed"; readonly offsetSeconds: number }
  | { readonly kind: "iana"; readonly name: string };

export const UTC: TzInfo = Object.freeze({ kind: "fixed", offsetSeconds: 0 });

const US_PER_SECOND = 1_000_000n;
const US_PER_DAY = 86_400_000_000n;
const MIN_DAYS = daysFromCivil(1, 1, 1);
const MAX_DAYS = daysFromCivil(9999, 12, 31);
const MAX_TIMEDELTA_DAYS = 999_999_999n;

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function rangeError(message: string): FunctionError {
  return new FunctionError(message, "value_error");
}

export function checkDate(year: number, month: number, day: number): void {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw rangeError(`year ${year} is out of range`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw rangeError("month must be in 1..12");
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month))
    throw rangeError("day is out of range for month");
}

export function checkTime(hour: number, minute: number, second: number, microsecond: number): void {
  if (!(hour >= 0 && hour <= 23)) throw rangeError("hour must be in 0..23");
  if (!(minute >= 0 && minute <= 59)) throw rangeError("minute must be in 0..59");
  if (!(second >= 0 && second <= 59)) throw rangeError("second must be in 0..59");
  if (!(microsecond >= 0 && microsecond <= 999_999)) throw rangeError("microsecond must be in 0..999999");
}

// --- Time zones -----------------------------------------------------------------------------

const zoneCache = new Map<string, IANAZone>();

function ianaZone(name: string): IANAZone {
  let zone = zoneCache.get(name);
  if (!zone) {
    zone = IANAZone.create(name);
    if (zoneCache.size < 1000) zoneCache.set(name, zone);
  }
  return zone;
}

/**
 * A case-sensitive IANA zone key (`America/New_York`, `UTC`, `EST`), as zoneinfo accepts. The
 * message names the parameter, not the value.
 */
export function resolveZone(name: string, param: string): TzInfo {
  let resolved: string | undefined;
  try {
    resolved =
      name === "" ? undefined : new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  if (resolved === undefined || (resolved !== name && resolved.toLowerCase() === name.toLowerCase())) {
    throw new FunctionError(
      `parameter '${param}' is not a known IANA time zone name (case-sensitive, e.g. 'UTC', 'America/New_York')`,
      "value_error",
    );
  }
  return { kind: "iana", name };
}

/** Offset in seconds of an IANA zone at an instant (epoch microseconds). */
function ianaOffsetAt(name: string, epochMicros: bigint): number {
  const ms = Number(floorDiv(epochMicros, 1000n));
  return Math.round(ianaZone(name).offset(ms) * 60);
}

/** Offset for a wall-clock time in an IANA zone with Python's fold=0 rule. */
function ianaOffsetForWall(name: string, wall: bigint): number {
  const day = 86_400_000_000n;
  const before = ianaOffsetAt(name, wall - day);
  const after = ianaOffsetAt(name, wall + day);
  if (before === after) {
    const here = ianaOffsetAt(name, wall - BigInt(before) * US_PER_SECOND);
    if (here === before) return before;
  }
  const validBefore = ianaOffsetAt(name, wall - BigInt(before) * US_PER_SECOND) === before;
  const validAfter = ianaOffsetAt(name, wall - BigInt(after) * US_PER_SECOND) === after;
  // Ambiguous (both valid) or missing (neither): fold=0 takes the offset before the transition.
  return validBefore || !validAfter ? before : after;
}

// ICU knows a zone's tzdata abbreviation in some English locale or other; these cover most of
// tzdata's letters (EST, BST, CET, IST, AEST, NZST, SAST…). Zones without letters get tzdata's
// numeric form (`-03`, `+0530`).
const ABBREVIATION_LOCALES = ["en-US", "en-GB", "en-IN", "en-AU", "en-NZ", "en-IE", "en-ZA", "en-CA"];

function tzName(tz: TzInfo, epochMicros: bigint, offsetSeconds: number): string {
  if (tz.kind === "fixed") return offsetSeconds === 0 ? "UTC" : `UTC${formatOffset(offsetSeconds)}`;
  // A missing local time (fold=0) keeps the offset from before the transition: name that instant.
  let instant = epochMicros;
  for (const shift of [0n, -3_600_000_000n, -7_200_000_000n, 3_600_000_000n]) {
    if (ianaOffsetAt(tz.name, epochMicros + shift) === offsetSeconds) {
      instant = epochMicros + shift;
      break;
    }
  }
  const ms = Number(floorDiv(instant, 1000n));
  for (const locale of ABBREVIATION_LOCALES) {
    const name = ianaZone(tz.name).offsetName(ms, { format: "short", locale });
    if (name && !/^GMT[+-]/.test(name)) return name;
  }
  const abs = Math.abs(offsetSeconds);
  const hours = String(Math.floor(abs / 3600)).padStart(2, "0");
  const minutes = Math.floor((abs % 3600) / 60);
  return `${offsetSeconds < 0 ? "-" : "+"}${hours}${minutes ? String(minutes).padStart(2, "0") : ""}`;
}

function sameZone(a: TzInfo | null, b: TzInfo | null): boolean {
  return a !== null && b !== null && a.kind === "iana" && b.kind === "iana" && a.name === b.name;
}

function tzRepr(tz: TzInfo): string {
  if (tz.kind === "iana") return `zoneinfo.ZoneInfo(key='${tz.name}')`;
  if (tz.offsetSeconds === 0) return "datetime.timezone.utc";
  return `datetime.timezone(datetime.timedelta(${timedeltaArgs(BigInt(tz.offsetSeconds) * US_PER_SECOND)}))`;
}

function timedeltaArgs(micros: bigint): string {
  const days = floorDiv(micros, US_PER_DAY);
  const rest = floorMod(micros, US_PER_DAY);
  const seconds = rest / US_PER_SECOND;
  const us = rest % US_PER_SECOND;
  const parts: string[] = [];
  if (days) parts.push(`days=${days}`);
  if (seconds) parts.push(`seconds=${seconds}`);
  if (us) parts.push(`microseconds=${us}`);
  return parts.join(", ");
}

/** micros / 10**6 correctly rounded to a double, as Python's int / int true division. */
export function microsToSeconds(micros: bigint): number {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const text = `${abs / US_PER_SECOND}.${String(abs % US_PER_SECOND).padStart(6, "0")}`;
  return negative ? -Number(text) : Number(text);
}

// --- timedelta ------------------------------------------------------------------------------

/** Rounds a float to an integer with ties to even, as Python's round(). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export class PyTimeDelta extends ExprObject {
  readonly typeName = "timedelta";
  constructor(readonly micros: bigint) {
    super();
    const days = floorDiv(micros, US_PER_DAY);
    if (days > MAX_TIMEDELTA_DAYS || days < -MAX_TIMEDELTA_DAYS) {
      throw new FunctionError("timedelta is out of range (at most 999999999 days)", "value_error");
    }
  }

  /** A duration from a float number of microseconds, rounded half to even. */
  static fromFloatMicros(micros: number): PyTimeDelta {
    if (!Number.isFinite(micros) || Math.abs(micros) > 1e20) {
      throw new FunctionError("timedelta is out of range (at most 999999999 days)", "value_error");
    }
    return new PyTimeDelta(BigInt(roundHalfEven(micros)));
  }

  /** A duration from a number of units (seconds per unit), rounded to microseconds like Python. */
  static fromUnits(amount: number, secondsPerUnit: number): PyTimeDelta {
    if (!Number.isFinite(amount))
      throw new FunctionError("cannot convert a non-finite number to a timedelta", "value_error");
    const micros = amount * secondsPerUnit * 1e6;
    if (Math.abs(micros) > 1e20)
      throw new FunctionError("timedelta is out of range (at most 999999999 days)", "value_error");
    if (Number.isInteger(amount) && Number.isSafeInteger(amount)) {
      return new PyTimeDelta(BigInt(amount) * BigInt(secondsPerUnit) * US_PER_SECOND);
    }
    return PyTimeDelta.fromFloatMicros(micros);
  }

  get days(): bigint {
    return floorDiv(this.micros, US_PER_DAY);
  }

  totalSeconds(): number {
    return microsToSeconds(this.micros);
  }

  override truthy(): boolean {
    return this.micros !== 0n;
  }

  toPythonString(): string {
    const days = this.days;
    const rest = floorMod(this.micros, US_PER_DAY);
    const seconds = Number(rest / US_PER_SECOND);
    const us = Number(rest % US_PER_SECOND);
    let s = `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60), 2)}:${pad(seconds % 60, 2)}`;
    if (days !== 0n) s = `${days} day${days === 1n || days === -1n ? "" : "s"}, ${s}`;
    if (us) s += `.${pad(us, 6)}`;
    return s;
  }

  toPythonRepr(): string {
    return `datetime.timedelta(${timedeltaArgs(this.micros) || "0"})`;
  }

  /** Python attributes, for `{0.days}` in format strings. */
  pyAttribute(name: string): ExprValue | undefined {
    const rest = floorMod(this.micros, US_PER_DAY);
    if (name === "days") return Number(this.days);
    if (name === "seconds") return Number(rest / US_PER_SECOND);
    if (name === "microseconds") return Number(rest % US_PER_SECOND);
    return undefined;
  }

  /** ISO 8601 duration (`PT5M`, `P1DT2H`, `-PT30S`), the JSON form. */
  toJSON(): string {
    const negative = this.micros < 0n;
    const abs = negative ? -this.micros : this.micros;
    const days = abs / US_PER_DAY;
    const rest = abs % US_PER_DAY;
    const h = rest / 3_600_000_000n;
    const m = (rest % 3_600_000_000n) / 60_000_000n;
    const us = rest % 60_000_000n;
    let time = "";
    if (h) time += `${h}H`;
    if (m) time += `${m}M`;
    if (us) {
      const secs = us / US_PER_SECOND;
      const frac = us % US_PER_SECOND;
      time += `${secs}${frac ? `.${pad(frac, 6).replace(/0+$/, "")}` : ""}S`;
    }
    let out = "P";
    if (days) out += `${days}D`;
    if (time) out += `T${time}`;
    if (out === "P") out = "PT0S";
    return negative ? `-${out}` : out;
  }

  override applyOperator(op: ObjectOperator, other: ExprValue, reversed: boolean): ExprValue | undefined {
    if (other instanceof PyTimeDelta) {
      const [a, b] = reversed ? [other.micros, this.micros] : [this.micros, other.micros];
      switch (op) {
        case "+":
          return new PyTimeDelta(a + b);
        case "-":
          return new PyTimeDelta(a - b);
        case "/":
          if (b === 0n) throw new FunctionError("division by a zero timedelta", "zero_division");
          return Number(a) / Number(b);
        case "%":
          if (b === 0n) throw new FunctionError("modulo by a zero timedelta", "zero_division");
          return new PyTimeDelta(floorMod(a, b));
        case "==":
          return a === b;
        case "<":
          return a < b;
        default:
          return undefined;
      }
    }
    const n = typeof other === "boolean" ? Number(other) : other;
    if (typeof n === "number") {
      if (op === "*") {
        if (Number.isInteger(n) && Number.isSafeInteger(n)) return new PyTimeDelta(this.micros * BigInt(n));
        if (!Number.isFinite(n))
          throw new FunctionError("cannot multiply a timedelta by a non-finite number", "value_error");
        return PyTimeDelta.fromFloatMicros(Number(this.micros) * n);
      }
      if (op === "/" && !reversed) {
        if (n === 0) throw new FunctionError("Cannot divide by zero", "zero_division");
        if (Number.isInteger(n) && Number.isSafeInteger(n)) {
          const d = BigInt(n);
          // Python's _divide_and_round: round half to even.
          let q = floorDiv(this.micros, d);
          const r = this.micros - q * d;
          const twice = 2n * r;
          const greater = d > 0n ? twice > d : twice < d;
          if (greater || (twice === d && q % 2n !== 0n)) q += 1n;
          return new PyTimeDelta(q);
        }
        return PyTimeDelta.fromFloatMicros(Number(this.micros) / n);
      }
    }
    if (op === "==") return false;
    if (!reversed && (other instanceof PyDateTime || other instanceof PyDate) && op === "+") {
      return other.applyOperator("+", this, true);
    }
    return undefined;
  }
}

// --- datetime -------------------------------------------------------------------------------

export interface DateTimeFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
}

export interface BrokenDown extends DateTimeFields {
  /** Monday = 0 … Sunday = 6. */
  readonly weekday: number;
  /** 1-based day of the year. */
  readonly yearDay: number;
}

function breakDown(wall: bigint): BrokenDown {
  const days = Number(floorDiv(wall, US_PER_DAY));
  const rest = Number(floorMod(wall, US_PER_DAY));
  const [year, month, day] = civilFromDays(days);
  const secs = Math.floor(rest / 1e6);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor((secs % 3600) / 60),
    second: secs % 60,
    microsecond: rest % 1_000_000,
    weekday: (((days + 3) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
  };
}

function checkWallRange(wall: bigint): void {
  const days = Number(floorDiv(wall, US_PER_DAY));
  if (days < MIN_DAYS || days > MAX_DAYS)
    throw new FunctionError("date value out of range (years 1 to 9999)", "value_error");
}

export type TimeSpec = "auto" | "hours" | "minutes" | "seconds" | "milliseconds" | "microseconds";

export function formatTimeOfDay(
  f: { hour: number; minute: number; second: number; microsecond: number },
  timespec: TimeSpec,
): string {
  const hh = pad(f.hour, 2);
  switch (timespec) {
    case "hours":
      return hh;
    case "minutes":
      return `${hh}:${pad(f.minute, 2)}`;
    case "seconds":
      return `${hh}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;
    case "milliseconds":
      return `${hh}:${pad(f.minute, 2)}:${pad(f.second, 2)}.${pad(Math.floor(f.microsecond / 1000), 3)}`;
    case "microseconds":
      return `${hh}:${pad(f.minute, 2)}:${pad(f.second, 2)}.${pad(f.microsecond, 6)}`;
    default:
      return formatTimeOfDay(f, f.microsecond ? "microseconds" : "seconds");
  }
}

export function parseTimespec(value: string): TimeSpec {
  if (["auto", "hours", "minutes", "seconds", "milliseconds", "microseconds"].includes(value)) return value as TimeSpec;
  throw new FunctionError(
    "unknown timespec value; use auto, hours, minutes, seconds, milliseconds or microseconds",
    "value_error",
  );
}

export class PyDateTime extends ExprObject {
  readonly typeName = "datetime";
  private cachedFields: BrokenDown | undefined;
  private cachedOffset: number | null | undefined;

  /** `wall`: microseconds since 1970-01-01T00:00 of the wall clock; `tz`: null when naive. */
  constructor(
    readonly wall: bigint,
    readonly tz: TzInfo | null,
  ) {
    super();
    checkWallRange(wall);
  }

  static fromFields(f: DateTimeFields, tz: TzInfo | null): PyDateTime {
    checkDate(f.year, f.month, f.day);
    checkTime(f.hour, f.minute, f.second, f.microsecond);
    const days = BigInt(daysFromCivil(f.year, f.month, f.day));
    const secs = BigInt(f.hour * 3600 + f.minute * 60 + f.second);
    return new PyDateTime(days * US_PER_DAY + secs * US_PER_SECOND + BigInt(f.microsecond), tz);
  }

  /** The instant `epochMicros` seen in `tz` (aware), or as UTC wall clock when tz is null. */
  static fromEpochMicros(epochMicros: bigint, tz: TzInfo | null): PyDateTime {
    if (tz === null) return new PyDateTime(epochMicros, null);
    const offset = tz.kind === "fixed" ? tz.offsetSeconds : ianaOffsetAt(tz.name, epochMicros);
    return new PyDateTime(epochMicros + BigInt(offset) * US_PER_SECOND, tz);
  }

  get fields(): BrokenDown {
    this.cachedFields ??= breakDown(this.wall);
    return this.cachedFields;
  }

  get aware(): boolean {
    return this.tz !== null;
  }

  /** utcoffset() in seconds, or null when naive. */
  utcOffsetSeconds(): number | null {
    if (this.cachedOffset === undefined) {
      const tz = this.tz;
      this.cachedOffset =
        tz === null ? null : tz.kind === "fixed" ? tz.offsetSeconds : ianaOffsetForWall(tz.name, this.wall);
    }
    return this.cachedOffset;
  }

  /** The instant in epoch microseconds; a naive value is read as UTC. */
  epochMicros(): bigint {
    return this.wall - BigInt(this.utcOffsetSeconds() ?? 0) * US_PER_SECOND;
  }

  /** Python's astimezone(tz) for an aware value (naive: read as UTC first). */
  withZone(tz: TzInfo): PyDateTime {
    return PyDateTime.fromEpochMicros(this.epochMicros(), tz);
  }

  /** Python's replace(tzinfo=None). */
  naive(): PyDateTime {
    return this.tz === null ? this : new PyDateTime(this.wall, null);
  }

  tzName(): string {
    const offset = this.utcOffsetSeconds();
    return this.tz === null || offset === null ? "" : tzName(this.tz, this.epochMicros(), offset);
  }

  isoformat(separator = "T", timespec: TimeSpec = "auto"): string {
    const f = this.fields;
    const date = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
    const offset = this.utcOffsetSeconds();
    return `${date}${separator}${formatTimeOfDay(f, timespec)}${offset === null ? "" : formatOffset(offset)}`;
  }

  toJSON(): string {
    return this.isoformat("T");
  }

  toPythonString(): string {
    return this.isoformat(" ");
  }

  toPythonRepr(): string {
    const f = this.fields;
    const parts = [f.year, f.month, f.day, f.hour, f.minute];
    if (f.second || f.microsecond) parts.push(f.second);
    if (f.microsecond) parts.push(f.microsecond);
    const tz = this.tz ? `, tzinfo=${tzRepr(this.tz)}` : "";
    return `datetime.datetime(${parts.join(", ")}${tz})`;
  }

  formatSpec(spec: string): string {
    return spec === "" ? this.toPythonString() : strftime(this, spec);
  }

  /** Python attributes, for `{0.year}` in format strings. */
  pyAttribute(name: string): ExprValue | undefined {
    const f = this.fields;
    switch (name) {
      case "year":
      case "month":
      case "day":
      case "hour":
      case "minute":
      case "second":
      case "microsecond":
        return f[name];
      default:
        return undefined;
    }
  }

  override applyOperator(op: ObjectOperator, other: ExprValue, reversed: boolean): ExprValue | undefined {
    if (other instanceof PyTimeDelta) {
      if (op === "+") return new PyDateTime(this.wall + other.micros, this.tz);
      if (op === "-" && !reversed) return new PyDateTime(this.wall - other.micros, this.tz);
      if (op === "==") return false;
      return undefined;
    }
    if (other instanceof PyDateTime) {
      const [a, b] = reversed ? [other, this] : [this, other];
      if (op === "==") {
        if (a.aware !== b.aware) return false;
        return a.aware && !sameZone(a.tz, b.tz) ? a.epochMicros() === b.epochMicros() : a.wall === b.wall;
      }
      if (op === "-" || op === "<") {
        if (a.aware !== b.aware) {
          throw new FunctionError(
            `can't ${op === "-" ? "subtract" : "compare"} offset-naive and offset-aware datetimes`,
            "type_error",
          );
        }
        const diff = a.aware && !sameZone(a.tz, b.tz) ? a.epochMicros() - b.epochMicros() : a.wall - b.wall;
        return op === "-" ? new PyTimeDelta(diff) : diff < 0n;
      }
      return undefined;
    }
    if (op === "==") return false;
    return undefined;
  }
}

// --- date -----------------------------------------------------------------------------------

export class PyDate extends ExprObject {
  readonly typeName = "date";
  constructor(readonly days: number) {
    super();
    if (days < MIN_DAYS || days > MAX_DAYS)
      throw new FunctionError("date value out of range (years 1 to 9999)", "value_error");
  }

  static fromFields(year: number, month: number, day: number): PyDate {
    checkDate(year, month, day);
    return new PyDate(daysFromCivil(year, month, day));
  }

  /** The date at midnight as a naive datetime (for strftime and conversions). */
  atMidnight(): PyDateTime {
    return new PyDateTime(BigInt(this.days) * US_PER_DAY, null);
  }

  toJSON(): string {
    return this.toPythonString();
  }

  toPythonString(): string {
    const [y, m, d] = civilFromDays(this.days);
    return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
  }

  toPythonRepr(): string {
    const [y, m, d] = civilFromDays(this.days);
    return `datetime.date(${y}, ${m}, ${d})`;
  }

  formatSpec(spec: string): string {
    return spec === "" ? this.toPythonString() : strftime(this.atMidnight(), spec);
  }

  /** Python attributes, for `{0.year}` in format strings. */
  pyAttribute(name: string): ExprValue | undefined {
    const [year, month, day] = civilFromDays(this.days);
    return name === "year" ? year : name === "month" ? month : name === "day" ? day : undefined;
  }

  override applyOperator(op: ObjectOperator, other: ExprValue, reversed: boolean): ExprValue | undefined {
    if (other instanceof PyTimeDelta) {
      const days = Number(other.days);
      if (op === "+") return new PyDate(this.days + days);
      if (op === "-" && !reversed) return new PyDate(this.days - days);
      return op === "==" ? false : undefined;
    }
    if (other instanceof PyDate) {
      const [a, b] = reversed ? [other.days, this.days] : [this.days, other.days];
      if (op === "-") return new PyTimeDelta(BigInt(a - b) * US_PER_DAY);
      if (op === "==") return a === b;
      if (op === "<") return a < b;
      return undefined;
    }
    return op === "==" ? false : undefined;
  }
}

// --- time -----------------------------------------------------------------------------------

export class PyTime extends ExprObject {
  readonly typeName = "time";
  /** `micros`: since midnight; `offsetSeconds`: null when naive. */
  constructor(
    readonly micros: number,
    readonly offsetSeconds: number | null = null,
  ) {
    super();
  }

  static fromFields(hour: number, minute: number, second: number, microsecond: number): PyTime {
    checkTime(hour, minute, second, microsecond);
    return new PyTime(((hour * 60 + minute) * 60 + second) * 1e6 + microsecond);
  }

  get fields(): { hour: number; minute: number; second: number; microsecond: number } {
    const secs = Math.floor(this.micros / 1e6);
    return {
      hour: Math.floor(secs / 3600),
      minute: Math.floor((secs % 3600) / 60),
      second: secs % 60,
      microsecond: this.micros % 1e6,
    };
  }

  toJSON(): string {
    return this.toPythonString();
  }

  toPythonString(): string {
    return formatTimeOfDay(this.fields, "auto") + (this.offsetSeconds === null ? "" : formatOffset(this.offsetSeconds));
  }

  toPythonRepr(): string {
    const f = this.fields;
    const parts = [f.hour, f.minute];
    if (f.second || f.microsecond) parts.push(f.second);
    if (f.microsecond) parts.push(f.microsecond);
    return `datetime.time(${parts.join(", ")})`;
  }

  formatSpec(spec: string): string {
    if (spec === "") return this.toPythonString();
    const base = PyDateTime.fromFields({ year: 1900, month: 1, day: 1, ...this.fields }, null);
    return strftime(base, spec);
  }

  override applyOperator(op: ObjectOperator, other: ExprValue, reversed: boolean): ExprValue | undefined {
    if (!(other instanceof PyTime)) return op === "==" ? false : undefined;
    const [a, b] = reversed ? [other, this] : [this, other];
    if (op === "==") return a.offsetSeconds === b.offsetSeconds ? a.micros === b.micros : false;
    if (op === "<") {
      if ((a.offsetSeconds === null) !== (b.offsetSeconds === null)) {
        throw new FunctionError("can't compare offset-naive and offset-aware times", "type_error");
      }
      return a.micros - (a.offsetSeconds ?? 0) * 1e6 < b.micros - (b.offsetSeconds ?? 0) * 1e6;
    }
    return undefined;
  }
}

export { US_PER_DAY, US_PER_SECOND };
