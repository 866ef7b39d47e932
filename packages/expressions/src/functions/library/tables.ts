// Table renderers shared by FN.tabulate and the markdown formatters (reference §2.9 tabulate).

import { tick } from "../../limits/budget.js";
import { compareStrings } from "../../values/equality.js";
import { pyStr } from "../../values/python-str.js";
import { type ExprDict, isDict } from "../../values/types.js";
import { type ExprValue, FunctionError } from "../function-definition.js";
import { typeError } from "./args.js";
import { MAX_TEXT } from "./limits.js";
import { pyIterate } from "./python-values.js";

export type TableFormat = "markdown" | "html" | "csv" | "xml";

function rowsOf(x: ExprValue, fn: string): ExprDict[] {
  return pyIterate(x, fn, "x").map((row, i) => {
    if (!isDict(row)) throw typeError(fn, `x[${i}]`, "a dict", row);
    return row;
  });
}

function sortedColumns(rows: ExprDict[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
  return [...keys].sort(compareStrings);
}

function cell(row: ExprDict, key: string): string {
  tick();
  if (!Object.hasOwn(row, key)) return "";
  const value = row[key] as ExprValue;
  return value === null ? "" : pyStr(value, MAX_TEXT);
}

function markdown(rows: ExprDict[]): string {
  const columns = sortedColumns(rows);
  if (rows.length === 0 || columns.length === 0) return "";
  const lines = [`|${columns.join("|")}|`, `|${columns.map(() => "-").join("|")}|`];
  for (const row of rows) lines.push(`|${columns.map((c) => cell(row, c)).join("|")}|`);
  return lines.join("\n");
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");
}

function html(rows: ExprDict[]): string {
  if (rows.length === 0) return "";
  const columns = sortedColumns(rows);
  const lines = ["<table>", "  <thead>", "    <tr>"];
  for (const c of columns) lines.push(`      <th>${escapeHtml(c)}</th>`);
  lines.push("    </tr>", "  </thead>", "  <tbody>");
  for (const row of rows) {
    lines.push("    <tr>");
    for (const c of columns) {
      // Tracecat prints a present None as "None" here (unlike markdown and csv).
      const text = Object.hasOwn(row, c) ? pyStr(row[c] as ExprValue, MAX_TEXT) : "";
      lines.push(`      <td>${escapeHtml(text)}</td>`);
    }
    lines.push("    </tr>");
  }
  lines.push("  </tbody>", "</table>");
  return lines.join("\n");
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(fields: string[]): string {
  if (fields.length === 1 && fields[0] === "") return '""\r\n';
  return `${fields.map(csvField).join(",")}\r\n`;
}

function csv(rows: ExprDict[]): string {
  if (rows.length === 0) return "";
  const columns = sortedColumns(rows);
  let out = csvRow(columns);
  for (const row of rows) out += csvRow(columns.map((c) => cell(row, c)));
  return out;
}

const XML_NAME = /^[\p{L}_:](?:[\p{L}\p{N}_:.\-\u00B7\u203F-\u2040]|\p{Mn})*$/u;
const XML_INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function xml(rows: ExprDict[]): string {
  if (rows.length === 0) return "";
  const lines = ['<?xml version="1.0" ?>', "<items>"];
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.length === 0) {
      lines.push("  <item/>");
      continue;
    }
    lines.push("  <item>");
    for (const key of keys) {
      if (!XML_NAME.test(key) || /^xml/i.test(key)) {
        throw new FunctionError(
          "a dict key is not a valid XML element name (letters, digits, _ . -; not starting with a digit)",
          "value_error",
        );
      }
      const value = row[key] as ExprValue;
      const text = value === null ? "" : pyStr(value, MAX_TEXT);
      if (XML_INVALID.test(text))
        throw new FunctionError("a value holds a control character XML cannot carry", "value_error");
      lines.push(text === "" ? `    <${key}/>` : `    <${key}>${escapeXml(text)}</${key}>`);
    }
    lines.push("  </item>");
  }
  lines.push("</items>");
  return `${lines.join("\n")}\n`;
}

export function tabulate(x: ExprValue, format: TableFormat, fn: string): string {
  const rows = rowsOf(x, fn);
  switch (format) {
    case "markdown":
      return markdown(rows);
    case "html":
      return html(rows);
    case "csv":
      return csv(rows);
    case "xml":
      return xml(rows);
  }
}
