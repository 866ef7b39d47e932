/**
 * YAML template actions in Tracecat's shape: `type: action` and a `definition` with the action's
 * identity, `expects` (its inputs), `secrets`, `steps` (each a call of another action) and
 * `returns`. Parsing checks the file on its own; the step actions are checked once everything
 * has loaded, since a template may use a built-in, a custom action or another template.
 */
import { check, contextReferences, ExpressionError } from "@coffer/expressions";
import type { SecretDeclaration } from "@coffer/sdk";
import { parse } from "yaml";
import { checkIdentity, checkSecretDeclarations } from "./declarations.js";
import type { RegistryLoadError, TemplateActionBody, TemplateStep } from "./registry.types.js";

type Problem = Omit<RegistryLoadError, "file">;

const DEFINITION_FIELDS = new Set([
  "namespace",
  "name",
  "title",
  "description",
  "display_group",
  "doc_url",
  "author",
  "deprecated",
  "expects",
  "secrets",
  "steps",
  "returns",
]);
const STEP_FIELDS = new Set(["ref", "action", "args"]);
const INPUT_FIELDS = new Set(["type", "description", "default"]);
const STEP_REF_PATTERN = /^[a-z][a-z0-9_]*$/;
const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What a template's expressions may read: its inputs, its earlier steps, the run's secrets and variables. */
const TEMPLATE_CONTEXTS = new Set(["inputs", "steps", "SECRETS", "VARS"]);

export interface ParsedTemplate {
  namespace: string;
  name: string;
  title: string;
  description: string;
  displayGroup?: string;
  secrets: SecretDeclaration[];
  template: TemplateActionBody;
  argsSchema: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `a.b[0]` from a location inside a value. */
export function formatLocation(base: string, location: readonly (string | number)[]): string {
  let out = base;
  for (const part of location) {
    out +=
      typeof part === "number"
        ? `[${part}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)
          ? `.${part}`
          : `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Tracecat's expects types (`str`, `int`, `list[str]`, `dict[str, any]`, `str | None`) as JSON Schema. */
function inputSchema(spec: { type?: string; description?: string; default?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const type = (spec.type ?? "").replace(/\s*\|\s*None$/, "").trim();
  const jsonType =
    type === "str"
      ? "string"
      : type === "int"
        ? "integer"
        : type === "float"
          ? "number"
          : type === "bool"
            ? "boolean"
            : type.startsWith("list")
              ? "array"
              : type.startsWith("dict")
                ? "object"
                : undefined;
  if (jsonType) out.type = jsonType;
  if (spec.description !== undefined) out.description = spec.description;
  if (spec.default !== undefined) out.default = spec.default;
  if (spec.type !== undefined) out["x-coffer-type"] = spec.type;
  return out;
}

function expressionProblems(value: unknown, field: string): Problem[] {
  return check(value).map((e) => ({
    field: formatLocation(field, e.location ?? []),
    code: "invalid_template",
    message: `${e.reason} (in ${JSON.stringify(e.expression)})`,
  }));
}

/**
 * Checks the references of one value (a step's args or the returns): inputs must be declared,
 * steps must exist and run earlier (`available`), and only the template contexts are used.
 */
function referenceProblems(
  value: unknown,
  field: string,
  inputs: ReadonlySet<string>,
  allSteps: readonly string[],
  available: ReadonlySet<string>,
  currentStep: string | undefined,
): Problem[] {
  const problems = expressionProblems(value, field);
  let refs: ReturnType<typeof contextReferences>;
  try {
    refs = contextReferences(value);
  } catch (error) {
    // A syntax error: check() has reported it, and the references cannot be read.
    if (error instanceof ExpressionError) return problems;
    throw error;
  }
  for (const ref of refs) {
    const at = formatLocation(field, ref.location);
    const bad = (message: string) => problems.push({ field: at, code: "invalid_template", message });
    if (!TEMPLATE_CONTEXTS.has(ref.context)) {
      bad(
        `${ref.context} is not available in a template action: its expressions read inputs, steps, SECRETS, VARS and FN.`,
      );
      continue;
    }
    const [first, second] = ref.names;
    if (ref.context === "inputs") {
      if (first === undefined) bad("Use inputs.<name>.");
      else if (!inputs.has(first)) bad(`inputs.${first} is not declared: add ${first} under definition.expects.`);
    } else if (ref.context === "steps") {
      if (first === undefined) {
        bad("Use steps.<ref>.result.");
      } else if (!allSteps.includes(first)) {
        bad(`steps.${first} is not a step of this template (its steps: ${allSteps.join(", ") || "none"}).`);
      } else if (!available.has(first)) {
        bad(
          first === currentStep
            ? `Step ${first} cannot read its own result.`
            : `Step ${first} runs after ${currentStep}: a step can read only the results of earlier steps.`,
        );
      } else if (second !== "result") {
        bad(`Use steps.${first}.result (a step's output is its result).`);
      }
    }
  }
  return problems;
}

/** Parses and checks one template file on its own; the step actions are checked later. */
export function parseTemplateFile(text: string): { parsed?: ParsedTemplate; problems: Problem[] } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return {
      problems: [
        {
          code: "invalid_template",
          message: `Not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
  if (!isRecord(doc)) {
    return {
      problems: [
        { code: "invalid_template", message: "A template action file is a mapping with type: action and definition." },
      ],
    };
  }
  const problems: Problem[] = [];
  if (doc.type !== "action") {
    problems.push({ field: "type", code: "invalid_template", message: "type must be action (a template action)." });
  }
  const d = doc.definition;
  if (!isRecord(d)) {
    problems.push({ field: "definition", code: "invalid_template", message: "definition must be a mapping." });
    return { problems };
  }
  for (const key of Object.keys(d)) {
    if (!DEFINITION_FIELDS.has(key)) {
      problems.push({
        field: `definition.${key}`,
        code: "invalid_template",
        message: `${key} is not a field of a template definition (${[...DEFINITION_FIELDS].join(", ")}).`,
      });
    }
  }
  problems.push(...checkIdentity(d, "definition."));
  const secrets = checkSecretDeclarations(d.secrets, "definition.secrets");
  problems.push(...secrets.problems);

  const expects: TemplateActionBody["expects"] = {};
  if (d.expects !== undefined && d.expects !== null && !isRecord(d.expects)) {
    problems.push({
      field: "definition.expects",
      code: "invalid_template",
      message: "expects must map input names to { type, description, default }.",
    });
  } else if (isRecord(d.expects)) {
    for (const [name, spec] of Object.entries(d.expects)) {
      const at = `definition.expects.${name}`;
      if (!INPUT_NAME_PATTERN.test(name)) {
        problems.push({
          field: at,
          code: "invalid_template",
          message: `Input name ${name} is not valid: use letters, digits and _.`,
        });
        continue;
      }
      if (!isRecord(spec)) {
        problems.push({
          field: at,
          code: "invalid_template",
          message: "An input is a mapping { type, description, default }.",
        });
        continue;
      }
      for (const key of Object.keys(spec)) {
        if (!INPUT_FIELDS.has(key)) {
          problems.push({
            field: `${at}.${key}`,
            code: "invalid_template",
            message: `${key} is not a field of an input (type, description, default).`,
          });
        }
      }
      if (spec.type !== undefined && typeof spec.type !== "string") {
        problems.push({
          field: `${at}.type`,
          code: "invalid_template",
          message: "type must be a string (str, int, list[str]…).",
        });
      }
      if (spec.description !== undefined && typeof spec.description !== "string") {
        problems.push({
          field: `${at}.description`,
          code: "invalid_template",
          message: "description must be a string.",
        });
      }
      expects[name] = spec as TemplateActionBody["expects"][string];
    }
  }

  const steps: TemplateStep[] = [];
  if (!Array.isArray(d.steps) || d.steps.length === 0) {
    problems.push({
      field: "definition.steps",
      code: "invalid_template",
      message: "steps must be a non-empty list of { ref, action, args }.",
    });
  } else {
    const refs = new Set<string>();
    d.steps.forEach((step, i) => {
      const at = `definition.steps[${i}]`;
      if (!isRecord(step)) {
        problems.push({ field: at, code: "invalid_template", message: "A step is a mapping { ref, action, args }." });
        return;
      }
      for (const key of Object.keys(step)) {
        if (!STEP_FIELDS.has(key)) {
          problems.push({
            field: `${at}.${key}`,
            code: "invalid_template",
            message: `${key} is not a field of a step (ref, action, args).`,
          });
        }
      }
      if (typeof step.ref !== "string" || !STEP_REF_PATTERN.test(step.ref)) {
        problems.push({
          field: `${at}.ref`,
          code: "invalid_template",
          message: "ref must be a lower-case word of letters, digits and _.",
        });
        return;
      }
      if (refs.has(step.ref)) {
        problems.push({ field: `${at}.ref`, code: "invalid_template", message: `Step ref ${step.ref} is used twice.` });
        return;
      }
      refs.add(step.ref);
      if (typeof step.action !== "string" || step.action === "") {
        problems.push({
          field: `${at}.action`,
          code: "invalid_template",
          message: "action must name an action (core.http_request).",
        });
        return;
      }
      if (step.args !== undefined && step.args !== null && !isRecord(step.args)) {
        problems.push({ field: `${at}.args`, code: "invalid_template", message: "args must be a mapping." });
        return;
      }
      steps.push({ ref: step.ref, action: step.action, args: isRecord(step.args) ? step.args : {} });
    });
    const inputs = new Set(Object.keys(expects));
    const all = steps.map((s) => s.ref);
    const available = new Set<string>();
    steps.forEach((step) => {
      const index = (d.steps as unknown[]).findIndex((s) => isRecord(s) && s.ref === step.ref);
      problems.push(
        ...referenceProblems(step.args, `definition.steps[${index}].args`, inputs, all, available, step.ref),
      );
      available.add(step.ref);
    });
    if (d.returns !== undefined) {
      problems.push(...referenceProblems(d.returns, "definition.returns", inputs, all, available, undefined));
    }
  }
  if (problems.length) return { problems };
  const required = Object.entries(expects)
    .filter(([, spec]) => spec.default === undefined && !/\|\s*None$/.test(spec.type ?? ""))
    .map(([name]) => name);
  const argsSchema = {
    type: "object",
    properties: Object.fromEntries(Object.entries(expects).map(([name, spec]) => [name, inputSchema(spec)])),
    required,
    additionalProperties: false,
  };
  return {
    parsed: {
      namespace: d.namespace as string,
      name: d.name as string,
      title: d.title as string,
      description: typeof d.description === "string" ? d.description : "",
      ...(typeof d.display_group === "string" ? { displayGroup: d.display_group } : {}),
      secrets: secrets.declarations,
      template: { expects, steps, returns: d.returns ?? null },
      argsSchema,
    },
    problems,
  };
}
