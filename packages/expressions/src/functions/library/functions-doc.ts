// Renders docs/functions.md from a function registry (run by scripts/generate-functions-doc.mjs;
// a test fails when the committed file differs).
import type { FunctionDefinition, FunctionParameter } from "../function-definition.js";
import type { FunctionRegistry } from "../registry.js";

const GROUP_ORDER = [
  "IO",
  "String transforms",
  "Comparison",
  "Regex",
  "Arrays",
  "Math",
  "Iteration",
  "Generators",
  "JSON functions",
  "Formatters",
  "Logical",
  "Type conversion",
  "Time related",
  "Base64",
  "Hash functions",
  "IP addresses",
  "IOC extractors",
];

function parameter(p: FunctionParameter): string {
  if (p.variadic) return `*${p.name}: ${p.type}`;
  return p.optional ? `${p.name}?: ${p.type}` : `${p.name}: ${p.type}`;
}

/** `name(a: str, b?: int, *rest: Any) -> str` */
export function signature(d: FunctionDefinition, name = d.name): string {
  return `${name}(${d.params.map(parameter).join(", ")}) -> ${d.returns}`;
}

const cell = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");

export function renderFunctionsDoc(registry: FunctionRegistry): string {
  const definitions = [...registry.definitions()];
  const groups = [...new Set(definitions.map((d) => d.group))].sort((a, b) => {
    const ia = GROUP_ORDER.indexOf(a);
    const ib = GROUP_ORDER.indexOf(b);
    return (ia < 0 ? GROUP_ORDER.length : ia) - (ib < 0 ? GROUP_ORDER.length : ib) || a.localeCompare(b);
  });
  const aliasCount = definitions.reduce((n, d) => n + (d.aliases?.length ?? 0), 0);
  const lines = [
    "# Expression functions (`FN.*`)",
    "",
    "<!-- Generated from the function registry by `node scripts/generate-functions-doc.mjs`; do not edit by hand. -->",
    "",
    `${registry.names().length} names: ${definitions.length} functions and ${aliasCount} aliases, in Tracecat's groups.`,
    "Call them as `FN.<name>(...)` inside `${{ }}`, or `FN.<name>.map(...)` to apply them to each item of list",
    "arguments. Arguments are positional; `?` marks an optional parameter and `*` one that takes any number of",
    "values. Where Coffer differs from Tracecat, see [compatibility.md](compatibility.md).",
    "",
  ];
  for (const group of groups) lines.push(`- [${group}](#${group.toLowerCase().replace(/[^a-z0-9]+/g, "-")})`);
  for (const group of groups) {
    lines.push("", `## ${group}`, "", "| function | description |", "| --- | --- |");
    const members = definitions.filter((d) => d.group === group).sort((a, b) => a.name.localeCompare(b.name));
    for (const d of members) {
      const aliases = d.aliases?.length ? ` Also: ${d.aliases.map((a) => `\`FN.${a}\``).join(", ")}.` : "";
      lines.push(`| \`${cell(signature(d))}\` | ${cell(d.description)}${aliases} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
