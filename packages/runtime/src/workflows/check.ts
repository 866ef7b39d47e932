// `coffer workflow check`: every static problem of a workflow file at once, without running it.
import { isCofferError } from "@coffer/core";
import { check, compile, evaluateTemplate, extractReferences, isTemplate } from "@coffer/expressions";
import { WORKFLOW_EXECUTE } from "../actions/core/workflow-execute/workflow-execute.js";
import { collectNeeds } from "../executor/needs.js";
import type { Registry } from "../registry/registry.types.js";
import { type ActionStatement, expressionFields, parseWorkflowText, type WorkflowDocument } from "./document.js";
import { GATHER, LOOP_END, LOOP_START, SCATTER } from "./scopes.js";

/** Actions the engine runs itself, not the registry (their shape is checked when the file loads). */
const ENGINE_ACTIONS = new Set([SCATTER, GATHER, LOOP_START, LOOP_END]);

export interface CheckProblem {
  severity: "error" | "warning";
  action?: string;
  field?: string;
  message: string;
}

export interface CheckWorkflowOptions {
  registry: Registry;
  /** Names and keys (never values) of the secrets of one environment. */
  listSecrets: (environment: string) => Promise<{ name: string; keys: string[] }[]>;
  runEnvironment?: string;
}

export interface CheckResult {
  document: WorkflowDocument | null;
  problems: CheckProblem[];
}

export async function checkWorkflow(text: string, options: CheckWorkflowOptions): Promise<CheckResult> {
  const problems: CheckProblem[] = [];
  let doc: WorkflowDocument;
  try {
    doc = parseWorkflowText(text);
  } catch (error) {
    const details = isCofferError(error) ? error.details : {};
    problems.push({
      severity: "error",
      ...(typeof details.action === "string" ? { action: details.action } : {}),
      ...(typeof details.field === "string" ? { field: details.field } : {}),
      message: error instanceof Error ? error.message : String(error),
    });
    return { document: null, problems };
  }
  const inputs = doc.expects ? new Set(Object.keys(doc.expects)) : null;
  const triggerDefaults: Record<string, unknown> = {};
  if (doc.expects) for (const [k, f] of Object.entries(doc.expects)) if (f.hasDefault) triggerDefaults[k] = f.default;
  const baseEnvironment = options.runEnvironment?.trim() || doc.config.environment;
  const secretCache = new Map<string, Promise<Map<string, Set<string>>>>();
  const secretsOf = (env: string) => {
    let p = secretCache.get(env);
    if (!p) {
      p = options.listSecrets(env).then((list) => new Map(list.map((s) => [s.name, new Set(s.keys)])));
      secretCache.set(env, p);
    }
    return p;
  };

  for (const a of doc.actions) {
    const entry = ENGINE_ACTIONS.has(a.action) ? undefined : options.registry.get(a.action);
    if (!entry && !ENGINE_ACTIONS.has(a.action)) {
      problems.push({
        severity: "error",
        action: a.ref,
        field: "action",
        message: `Action '${a.ref}': there is no action ${a.action} in the registry (see \`coffer actions list\`).`,
      });
    }
    // Expressions: syntax, functions, SECRETS/VARS shape, with the caret.
    for (const [field, value] of expressionFields(a)) {
      for (const e of check(value))
        problems.push({
          severity: "error",
          action: a.ref,
          field,
          message: `Action '${a.ref}', field '${field}': ${e.format()}`,
        });
      for (const p of triggerReferences(value, inputs))
        problems.push({
          severity: "warning",
          action: a.ref,
          field,
          message: `Action '${a.ref}', field '${field}': ${p}`,
        });
    }
    if (a.runIf !== null && !a.runIf.trim().startsWith("${{"))
      problems.push({
        severity: "error",
        action: a.ref,
        field: "run_if",
        message: `Action '${a.ref}': \`run_if\` must only contain an expression. Got '${a.runIf}'.`,
      });
    if (a.forEach !== null)
      for (const f of a.forEach) {
        let ok = false;
        try {
          const c = compile(f.trim());
          ok = c.whole && c.roots[0]?.iterator !== undefined;
        } catch {}
        if (!ok)
          problems.push({
            severity: "error",
            action: a.ref,
            field: "for_each",
            message: `Action '${a.ref}': \`for_each\` must be an expression or list of expressions \${{ for var.x in … }}. Got '${f}'.`,
          });
      }
    if (a.interaction !== null)
      problems.push({
        severity: "error",
        action: a.ref,
        field: "interaction",
        message: `Action '${a.ref}': \`interaction\` is not supported by Coffer.`,
      });
    if (!entry) continue;

    // Args against the action's schema, when they hold no templates (a template's value is only known at run time).
    if (entry.kind === "builtin" && !hasTemplate(a.args)) {
      const parsed = entry.definition.args.safeParse(a.args);
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          problems.push({
            severity: "error",
            action: a.ref,
            field: `args${issue.path.length ? `.${issue.path.join(".")}` : ""}`,
            message: `Action '${a.ref}': invalid args for ${a.action}: ${issue.path.join(".") || "(args)"}: ${issue.message}`,
          });
    }

    if (a.action === WORKFLOW_EXECUTE) {
      // The engine evaluates a subflow's args, without SECRETS or VARS (the child's trigger is stored).
      const refs = new Set<string>();
      try {
        const r = extractReferences(a.args);
        if (r.secrets.length > 0) refs.add("SECRETS");
        if (r.variables.length > 0) refs.add("VARS");
      } catch {}
      if (refs.size > 0)
        problems.push({
          severity: "error",
          action: a.ref,
          field: "args",
          message: `Action '${a.ref}': ${[...refs].join(" and ")} cannot be used in the args of core.workflow.execute (the child's trigger is stored as given); let the child workflow read its own secrets and variables.`,
        });
      continue;
    }
    // Secrets and keys in the action's effective environment.
    const env = effectiveEnvironment(a, baseEnvironment, triggerDefaults);
    if (env.kind === "unknown") {
      problems.push({
        severity: "warning",
        action: a.ref,
        field: "environment",
        message: `Action '${a.ref}': ${env.why}`,
      });
      continue;
    }
    let needs: ReturnType<typeof collectNeeds>;
    try {
      needs = collectNeeds(options.registry, entry, a.args);
    } catch (error) {
      problems.push({
        severity: "error",
        action: a.ref,
        field: "inputs",
        message: `Action '${a.ref}': ${(error as Error).message}`,
      });
      continue;
    }
    const available = await secretsOf(env.name);
    for (const [name, need] of needs.secrets) {
      const keys = available.get(name);
      if (!keys) {
        if (need.required)
          problems.push({
            severity: "error",
            action: a.ref,
            message: `Action '${a.ref}' needs secret '${name}', which does not exist in environment '${env.name}'. Create it with \`coffer secrets create ${name} --env ${env.name} …\`.`,
          });
        continue;
      }
      const missing = [...need.keys].filter((k) => !keys.has(k));
      if (missing.length > 0)
        problems.push({
          severity: "error",
          action: a.ref,
          message: `Action '${a.ref}' needs key(s) ${missing.join(", ")} of secret '${name}' in environment '${env.name}', which it lacks (it has ${[...keys].join(", ") || "no keys"}).`,
        });
    }
  }
  return { document: doc, problems };
}

function hasTemplate(value: unknown): boolean {
  if (typeof value === "string") return isTemplate(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (typeof value === "object" && value !== null)
    return Object.entries(value).some(([k, v]) => isTemplate(k) || hasTemplate(v));
  return false;
}

function triggerReferences(value: unknown, inputs: Set<string> | null): string[] {
  if (!inputs) return [];
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === "string" && isTemplate(v)) {
      const m = v.matchAll(/TRIGGER\.([A-Za-z_][A-Za-z0-9_]*)/g);
      for (const x of m)
        if (!inputs.has(x[1] as string))
          out.push(`TRIGGER.${x[1]} is not an input of entrypoint.expects; it will be null.`);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(visit);
  };
  visit(value);
  return out;
}

type Effective = { kind: "known"; name: string } | { kind: "unknown"; why: string };

/** The environment an action will run in, when it is knowable before the run. */
function effectiveEnvironment(a: ActionStatement, base: string, triggerDefaults: Record<string, unknown>): Effective {
  const text = a.environment?.trim();
  if (!text) return { kind: "known", name: base };
  if (!isTemplate(text)) return { kind: "known", name: text };
  let refs: ReturnType<typeof extractReferences>;
  try {
    refs = extractReferences(text);
  } catch {
    return { kind: "unknown", why: "its environment template does not parse." };
  }
  const onlyLiterals = refs.secrets.length === 0 && refs.variables.length === 0 && !/ACTIONS|var\./.test(text);
  if (!onlyLiterals)
    return {
      kind: "unknown",
      why: `its environment \`${text}\` depends on values known only at run time, so its secrets could not be checked.`,
    };
  try {
    const v = evaluateTemplate(text, { TRIGGER: triggerDefaults, ENV: { environment: base } });
    if (typeof v === "string" && v.trim() !== "") return { kind: "known", name: v.trim() };
  } catch {}
  return {
    kind: "unknown",
    why: `its environment \`${text}\` could not be evaluated from literals and trigger defaults.`,
  };
}
