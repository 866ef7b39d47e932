// IO group (reference §2.1): CSV text to a list of dicts, Python csv.DictReader over
// str.splitlines() (so a quoted field spanning lines loses its newline, as in Tracecat).

import type { ExprDict } from "../../values/types.js";
import type { ExprValue, FunctionDefinition } from "../function-definition.js";
import { expectString, param } from "./args.js";
import { checkListLength, limitsOf } from "./limits.js";
import { pySplitLines, setKey } from "./text.js";

/** Python's csv.reader (excel dialect, strict=False) over already-split lines. */
function readCsv(lines: string[]): string[][] {
  const rows: string[][] = [];
  let i = 0;
  while (i < lines.length) {
    const row: string[] = [];
    let field = "";
    let state: "start" | "unquoted" | "quoted" | "quoteInQuoted" = "start";
    let line = lines[i++] as string;
    let pos = 0;
    for (;;) {
      if (pos >= line.length) {
        if (state === "quoted" && i < lines.length) {
          line = lines[i++] as string;
          pos = 0;
          continue;
        }
        if (state !== "start" || row.length > 0) row.push(field);
        break;
      }
      const c = line[pos++] as string;
      if (state === "start") {
        if (c === '"') state = "quoted";
        else if (c === ",") row.push("");
        else {
          field = c;
          state = "unquoted";
        }
        if (c === "," || c === '"') field = "";
        continue;
      }
      if (state === "unquoted") {
        if (c === ",") {
          row.push(field);
          field = "";
          state = "start";
        } else field += c;
        continue;
      }
      if (state === "quoted") {
        if (c === '"') state = "quoteInQuoted";
        else field += c;
        continue;
      }
      // A quote inside a quoted field: doubled quote, end of field, or (non-strict) literal text.
      if (c === '"') {
        field += '"';
        state = "quoted";
      } else if (c === ",") {
        row.push(field);
        field = "";
        state = "start";
      } else {
        field += c;
        state = "unquoted";
      }
    }
    rows.push(row);
  }
  return rows;
}

export const ioFunctions: FunctionDefinition[] = [
  {
    name: "parse_csv",
    group: "IO",
    description: "Parses CSV text into one dict per row, keyed by the header row (all values are str).",
    params: [param("x", "str")],
    returns: "list[dict[str, Any]]",
    call(args, context) {
      const rows = readCsv(pySplitLines(expectString("parse_csv", "x", args[0])));
      checkListLength("parse_csv", rows.length, limitsOf(context));
      const header = rows.shift();
      if (!header) return [];
      const out: ExprValue[] = [];
      for (const row of rows) {
        if (row.length === 0) continue;
        const dict: ExprDict = {};
        header.forEach((key, i) => {
          setKey(dict, key, i < row.length ? (row[i] as string) : null);
        });
        if (row.length > header.length) setKey(dict, "None", row.slice(header.length));
        out.push(dict);
      }
      return out;
    },
  },
];
