// A minimal datetime value for the starter `now` and `to_datetime`. The FN library may replace
// both functions (and this type) with fuller versions.
import { DateTime, FixedOffsetZone } from "luxon";
import { ExprObject, type ExprValue, type ObjectOperator } from "./function-definition.js";

/** Python's `datetime`: naive (no zone) or aware (fixed offset or IANA zone), ms precision. */
export class StarterDateTime extends ExprObject {
  readonly typeName = "datetime";
  constructor(
    readonly value: DateTime,
    readonly aware: boolean,
  ) {
    super();
  }

  toJSON(): string {
    return this.iso("T");
  }

  toPythonString(): string {
    return this.iso(" ");
  }

  private iso(separator: string): string {
    const ms = this.value.millisecond;
    const base = this.value.toFormat(`yyyy-MM-dd'${separator}'HH:mm:ss`);
    const fraction = ms ? `.${String(ms * 1000).padStart(6, "0")}` : "";
    if (!this.aware) return base + fraction;
    return base + fraction + this.value.toFormat("ZZ");
  }

  override applyOperator(op: ObjectOperator, other: ExprValue, reversed: boolean): ExprValue | undefined {
    if (!(other instanceof StarterDateTime)) return op === "==" ? false : undefined;
    if (op === "==") return this.aware === other.aware && this.value.toMillis() === other.value.toMillis();
    if (op === "<") {
      if (this.aware !== other.aware) return undefined;
      return reversed ? other.value.toMillis() < this.value.toMillis() : this.value.toMillis() < other.value.toMillis();
    }
    return undefined;
  }
}

const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses Python `fromisoformat` input (calendar dates; no week dates). Undefined when invalid. */
export function parseIsoDateTime(text: string): StarterDateTime | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", offset] = m;
  if (offset && m[4] === undefined) return undefined;
  let zone: FixedOffsetZone = FixedOffsetZone.utcInstance;
  if (offset && offset !== "Z") {
    const digits = offset.slice(1).replace(":", "");
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
    if (minutes >= 24 * 60) return undefined;
    zone = FixedOffsetZone.instance(offset.startsWith("-") ? -minutes : minutes);
  }
  const value = DateTime.fromObject(
    {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      millisecond: Number(frac.slice(0, 3).padEnd(3, "0")),
    },
    { zone },
  );
  return value.isValid ? new StarterDateTime(value, offset !== undefined) : undefined;
}
