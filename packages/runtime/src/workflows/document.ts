// The workflow document (Tracecat's DSL): YAML in, a checked and normalised document out.
import { CofferError } from "@coffer/core";
import { compile, ExpressionError, isTemplate } from "@coffer/expressions";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { type ExpectedField, parseExpects } from "./expects.js";
import { GATHER, LOOP_END, LOOP_START, SCATTER, type Scopes, validateScopes } from "./scopes.js";

const SCOPE_ACTIONS = new Set([SCATTER, GATHER, LOOP_START, LOOP_END]);

export type EdgeType = "success" | "error";

export interface RetryPolicy {
  maxAttempts: number;
  timeoutSeconds: number;
  retryUntil: string | null;
}

export interface ActionStatement {
  ref: string;
  action: string;
  args: Record<string, unknown>;
  description: string;
  dependsOn: { source: string; type: EdgeType; text: string }[];
  runIf: string | null;
  forEach: string[] | null;
  joinStrategy: "all" | "any";
  retryPolicy: RetryPolicy;
  startDelay: number;
  waitUntil: string | null;
  environment: string | null;
  maskOutput: boolean;
  interaction: unknown;
}

export interface WorkflowDocument {
  title: string;
  description: string;
  expects: Record<string, ExpectedField> | null;
  config: { environment: string; timeout: number };
  actions: ActionStatement[];
  returns: unknown;
  errorHandler: string | null;
  triggers: { type: string; ref: string; args: Record<string, unknown> }[];
  /** Scope of each action when the file has scatter/gather or loop regions. */
  scopes: Scopes | null;
}

const REF = /^[a-z0-9_]+$/;
const ACTION_KEY = /^[a-z0-9_.]+$/;

function invalid(message: string, details: Record<string, unknown> = {}): CofferError {
  return new CofferError("workflow_invalid", message, { details });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const pyRepr = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const pySet = (items: Iterable<string>) => `{${[...items].sort().map(pyRepr).join(", ")}}`;

/** Parses YAML text; a YAML error names the line. */
export function parseWorkflowText(text: string): WorkflowDocument {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      throw invalid(`The workflow file is not valid YAML: ${error.message}`);
    }
    throw error;
  }
  return loadWorkflow(raw);
}

/** Structural validation (Tracecat §1.7) over a parsed mapping; throws on the first problem. */
export function loadWorkflow(raw: unknown): WorkflowDocument {
  if (!isMapping(raw))
    throw invalid("A workflow document must be a mapping with title, description, entrypoint and actions.");
  if (isMapping(raw.definition) && raw.actions === undefined) {
    throw invalid(
      "This file is a Tracecat export (`definition:` wrapper). Run the document under `definition:` instead: move its keys to the top level.",
    );
  }
  for (const field of ["title", "description"] as const) {
    if (typeof raw[field] !== "string")
      throw invalid(`The workflow's \`${field}\` is required and must be a string.`, { field });
  }
  if (!Object.hasOwn(raw, "entrypoint") || !isMapping(raw.entrypoint)) {
    throw invalid("The workflow's `entrypoint` is required and must be a mapping (it may be `{}`).", {
      field: "entrypoint",
    });
  }
  const expects = parseExpects(raw.entrypoint.expects);

  const config = { environment: "default", timeout: 0 };
  if (raw.config !== undefined && raw.config !== null) {
    if (!isMapping(raw.config)) throw invalid("The workflow's `config` must be a mapping.", { field: "config" });
    const c = raw.config;
    if (c.environment !== undefined && c.environment !== null) {
      if (typeof c.environment !== "string" || c.environment.trim() === "")
        throw invalid("`config.environment` must be a non-empty string.", { field: "config.environment" });
      config.environment = c.environment.trim();
    }
    if (c.timeout !== undefined && c.timeout !== null) {
      if (typeof c.timeout !== "number" || c.timeout < 0)
        throw invalid("`config.timeout` must be a number of seconds (0 means none).", { field: "config.timeout" });
      config.timeout = c.timeout;
    }
    if (c.scheduler !== undefined && c.scheduler !== "static" && c.scheduler !== "dynamic")
      throw invalid("`config.scheduler` (legacy, no effect) must be `static` or `dynamic`.", {
        field: "config.scheduler",
      });
  }

  const triggers: WorkflowDocument["triggers"] = [];
  if (raw.triggers !== undefined && raw.triggers !== null) {
    if (!Array.isArray(raw.triggers)) throw invalid("`triggers` must be a list.", { field: "triggers" });
    raw.triggers.forEach((t, i) => {
      if (!isMapping(t) || (t.type !== "schedule" && t.type !== "webhook"))
        throw invalid(`Trigger ${i + 1}: \`type\` must be \`schedule\` or \`webhook\`.`, {
          field: `triggers.${i}.type`,
        });
      if (typeof t.ref !== "string" || !REF.test(t.ref))
        throw invalid(`Trigger ${i + 1}: \`ref\` must match ^[a-z0-9_]+$.`, { field: `triggers.${i}.ref` });
      triggers.push({ type: t.type, ref: t.ref, args: isMapping(t.args) ? t.args : {} });
    });
  }

  if (raw.error_handler !== undefined && raw.error_handler !== null && typeof raw.error_handler !== "string")
    throw invalid("`error_handler` must be a workflow ID or alias.", { field: "error_handler" });

  if (!Array.isArray(raw.actions) || raw.actions.length === 0) throw invalid("At least one action must be defined.");
  const actions = raw.actions.map((a, i) => loadAction(a, i));

  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const a of actions) (seen.has(a.ref) ? duplicates : seen).add(a.ref);
  if (duplicates.size > 0) {
    throw invalid(
      `All action references (the action title in snake case) must be unique. Duplicate refs: ${[...duplicates].map(pyRepr).join(", ")}`,
      { duplicates: [...duplicates] },
    );
  }
  if (!actions.some((a) => a.dependsOn.length === 0)) throw invalid("No entrypoints found");
  const unknownSources = new Set<string>();
  for (const a of actions) for (const d of a.dependsOn) if (!seen.has(d.source)) unknownSources.add(d.source);
  if (unknownSources.size > 0) {
    throw invalid(`Invalid depends_on refs in actions: ${pySet(unknownSources)}. Valid actions: ${pySet(seen)}`, {
      unknown: [...unknownSources].sort(),
    });
  }
  const references = new Map<string, [string, Set<string>][]>();
  for (const a of actions) {
    const perField: [string, Set<string>][] = [];
    references.set(a.ref, perField);
    for (const [field, value] of expressionFields(a)) {
      const found = actionReferences(value, a.ref, field);
      perField.push([field, found]);
      for (const ref of found) {
        if (!seen.has(ref))
          throw invalid(
            `Action '${a.ref}' has an expression in field '${field}' that references unknown action '${ref}'`,
            {
              action: a.ref,
              field,
              reference: ref,
            },
          );
      }
    }
  }
  const scopes = actions.some((a) => SCOPE_ACTIONS.has(a.action)) ? validateScopes(actions, references) : null;
  return {
    title: raw.title as string,
    description: raw.description as string,
    expects,
    config,
    actions,
    returns: raw.returns ?? null,
    errorHandler: (raw.error_handler as string | undefined) ?? null,
    triggers,
    scopes,
  };
}

function loadAction(raw: unknown, index: number): ActionStatement {
  const where = `Action ${index + 1}`;
  if (!isMapping(raw)) throw invalid(`${where} must be a mapping with ref and action.`, { index });
  if (typeof raw.ref !== "string" || !REF.test(raw.ref))
    throw invalid(`${where}: \`ref\` must be a string matching ^[a-z0-9_]+$ (got ${JSON.stringify(raw.ref)}).`, {
      index,
      field: "ref",
    });
  const ref = raw.ref;
  const bad = (field: string, message: string) =>
    invalid(`Action '${ref}': \`${field}\` ${message}`, { action: ref, field });
  if (typeof raw.action !== "string" || !ACTION_KEY.test(raw.action))
    throw bad("action", "must be a registry action key matching ^[a-z0-9_.]+$.");
  if (raw.for_each !== undefined && raw.for_each !== null && raw.interaction !== undefined && raw.interaction !== null)
    throw invalid("Interaction is not allowed when for_each is provided.", { action: ref, field: "interaction" });

  let args: Record<string, unknown> = {};
  if (raw.args !== undefined && raw.args !== null) {
    if (!isMapping(raw.args)) throw bad("args", "must be a mapping of argument names to values.");
    args = raw.args;
  }
  const dependsOn: ActionStatement["dependsOn"] = [];
  if (raw.depends_on !== undefined && raw.depends_on !== null) {
    if (!Array.isArray(raw.depends_on)) throw bad("depends_on", "must be a list of action refs.");
    const seenEntries = new Set<string>();
    for (const entry of raw.depends_on) {
      if (typeof entry !== "string") throw bad("depends_on", "must be a list of strings.");
      const dot = entry.indexOf(".");
      const source = dot === -1 ? entry : entry.slice(0, dot);
      const suffix = dot === -1 ? "success" : entry.slice(dot + 1);
      if (suffix !== "success" && suffix !== "error")
        throw invalid(`Invalid depends_on ref: '${entry}' in action '${ref}'`, { action: ref, field: "depends_on" });
      const key = `${source}.${suffix}`;
      // Tracecat never runs an action with a repeated entry (quirk Q10); we refuse the file instead.
      if (seenEntries.has(key))
        throw bad(
          "depends_on",
          `lists '${entry}' twice; an action with a repeated dependency would never run. Remove the duplicate.`,
        );
      seenEntries.add(key);
      dependsOn.push({ source, type: suffix, text: entry });
    }
  }
  const optionalString = (field: string): string | null => {
    const v = raw[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") throw bad(field, "must be a string.");
    return v;
  };
  const runIf = optionalString("run_if");
  let forEach: string[] | null = null;
  if (raw.for_each !== undefined && raw.for_each !== null) {
    const list = typeof raw.for_each === "string" ? [raw.for_each] : raw.for_each;
    if (!Array.isArray(list) || list.some((x) => typeof x !== "string"))
      throw bad("for_each", "must be an expression `${{ for var.x in … }}` or a list of them.");
    forEach = list as string[];
  }
  const join = raw.join_strategy ?? "all";
  if (join !== "all" && join !== "any") throw bad("join_strategy", "must be `all` or `any`.");
  const retryPolicy: RetryPolicy = { maxAttempts: 1, timeoutSeconds: 300, retryUntil: null };
  if (raw.retry_policy !== undefined && raw.retry_policy !== null) {
    if (!isMapping(raw.retry_policy))
      throw bad("retry_policy", "must be a mapping {max_attempts, timeout, retry_until}.");
    const rp = raw.retry_policy;
    if (rp.max_attempts !== undefined) {
      if (!Number.isInteger(rp.max_attempts) || (rp.max_attempts as number) < 0)
        throw bad("retry_policy.max_attempts", "must be a whole number ≥ 0 (0 = unlimited).");
      retryPolicy.maxAttempts = rp.max_attempts as number;
    }
    if (rp.timeout !== undefined) {
      if (typeof rp.timeout !== "number" || rp.timeout <= 0)
        throw bad("retry_policy.timeout", "must be a positive number of seconds.");
      retryPolicy.timeoutSeconds = rp.timeout;
    }
    if (rp.retry_until !== undefined && rp.retry_until !== null) {
      if (typeof rp.retry_until !== "string" || !isWholeTemplate(rp.retry_until))
        throw bad(
          "retry_policy.retry_until",
          `'${String(rp.retry_until)}' is not a valid expression: write one \${{ … }} template.`,
        );
      retryPolicy.retryUntil = rp.retry_until;
    }
  }
  let startDelay = 0;
  if (raw.start_delay !== undefined && raw.start_delay !== null) {
    if (typeof raw.start_delay !== "number" || raw.start_delay < 0)
      throw bad("start_delay", "must be a number of seconds ≥ 0.");
    startDelay = raw.start_delay;
  }
  const waitUntil = optionalString("wait_until");
  const environment = optionalString("environment");
  if (raw.mask_output !== undefined && raw.mask_output !== null && typeof raw.mask_output !== "boolean")
    throw bad("mask_output", "must be true or false.");
  const description = optionalString("description") ?? "";
  return {
    ref,
    action: raw.action,
    args,
    description,
    dependsOn,
    runIf,
    forEach,
    joinStrategy: join,
    retryPolicy,
    startDelay,
    waitUntil,
    environment,
    maskOutput: raw.mask_output === true,
    interaction: raw.interaction ?? null,
  };
}

export function isWholeTemplate(text: string): boolean {
  const t = text.trim();
  if (!t.startsWith("${{")) return false;
  try {
    return compile(t).whole;
  } catch {
    return false;
  }
}

/** The fields whose templates are scanned for `ACTIONS.<ref>` (named as Tracecat names them). */
export function expressionFields(a: ActionStatement): [string, unknown][] {
  const fields: [string, unknown][] = [["inputs", a.args]];
  if (a.runIf !== null) fields.push(["run_if", a.runIf]);
  if (a.forEach !== null) fields.push(["for_each", a.forEach]);
  if (a.retryPolicy.retryUntil !== null) fields.push(["retry_policy", a.retryPolicy.retryUntil]);
  if (a.environment !== null) fields.push(["environment", a.environment]);
  if (a.waitUntil !== null) fields.push(["wait_until", a.waitUntil]);
  if (a.description !== "") fields.push(["description", a.description]);
  return fields;
}

/** Every `ACTIONS.<ref>` named in a value's templates; a syntax error names the action and field. */
export function actionReferences(value: unknown, ref: string, field: string): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v === "string") {
      if (!isTemplate(v)) return;
      let compiled: ReturnType<typeof compile>;
      try {
        compiled = compile(v);
      } catch (error) {
        if (error instanceof ExpressionError)
          throw invalid(`Action '${ref}' has an invalid expression in field '${field}': ${error.format()}`, {
            action: ref,
            field,
            expressionCode: error.code,
          });
        throw error;
      }
      for (const root of compiled.roots) collectActionRefs(root, out);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (isMapping(v))
      for (const [k, inner] of Object.entries(v)) {
        visit(k);
        visit(inner);
      }
  };
  visit(value);
  return out;
}

// Walks any AST shape generically: every object with kind "ref" and context ACTIONS counts.
function collectActionRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectActionRefs(n, out);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as { kind?: string; context?: string; segments?: { kind: string; name?: string }[] };
  if (n.kind === "ref" && n.context === "ACTIONS") {
    const first = n.segments?.[0];
    if (first?.kind === "name" && first.name) out.add(first.name);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === "segments") continue;
    if (typeof value === "object" && value !== null) collectActionRefs(value, out);
  }
}
