import { randomUUID } from "node:crypto";
import {
  type CofferConfig,
  CofferError,
  type ErrorCode,
  isCofferError,
  isErrorCode,
  type Logger,
  type LogMasks,
  type ResolutionService,
} from "@coffer/core";
import { ExpressionError, evaluate } from "@coffer/expressions";
import type { ActionContext, LogFields } from "@coffer/sdk";
import type { Masker } from "../masking/masker.types.js";
import type { ActionEntry, Registry } from "../registry/registry.types.js";
import type { CustomActionOutcome, CustomActionRunRequest } from "../sandbox/sandbox.types.js";
import { createActionLog, createSecretsAccessor, type LogLevel } from "./action-context.js";
import { baseEnvironment, effectiveEnvironment, environmentVariables } from "./environment.js";
import type { ActionRunRequest, ActionRunResult, SecretPreprocessor } from "./executor.types.js";
import { collectNeeds } from "./needs.js";
import { unresolvedError } from "./unresolved.js";

export interface ExecutorDeps {
  registry: Registry;
  resolution: Pick<ResolutionService, "resolveForRun">;
  /** Run in order between fetch and evaluation; values they add join the mask set. */
  preprocessors?: readonly SecretPreprocessor[];
  /** Where a run's log lines and child output go when the caller gives no `onOutput`. */
  logger: Logger;
  /** The process logger's mask slot (`coffer.logMasks`): each run's masker sits in it while the run is in flight. */
  logMasks?: LogMasks;
  config: { runtime: Pick<CofferConfig["runtime"], "actionTimeoutMs"> };
  /** Builds one run's masker over its mask set (every value the run touched). */
  createMasker: (values: readonly string[]) => Masker;
  /** Runs a custom action in the sandboxed child. */
  runCustomAction: (request: CustomActionRunRequest) => Promise<CustomActionOutcome>;
}

export interface Executor {
  /** One action run; never throws: a failure is `{status: "failed", error}` with a stable code, masked. */
  runAction(request: ActionRunRequest): Promise<ActionRunResult>;
}

/** What every part of one run shares: the one resolution, the masker, the deadline. */
interface RunScope {
  request: ActionRunRequest;
  runId: string;
  environment: string;
  secrets: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** `SECRETS` and `VARS` as expressions read them. */
  SECRETS: Readonly<Record<string, Readonly<Record<string, string>>>>;
  VARS: Readonly<Record<string, unknown>>;
  masker: Masker;
  signal: AbortSignal;
  deadline: number;
  emitLog: (actionId: string, level: LogLevel, message: string, fields?: LogFields) => void;
  emitOutput: (stream: "stdout" | "stderr", text: string) => void;
}

export function createExecutor(deps: ExecutorDeps): Executor {
  const { registry, resolution, logger } = deps;
  const preprocessors = deps.preprocessors ?? [];

  async function runAction(request: ActionRunRequest): Promise<ActionRunResult> {
    const runId = request.runId ?? randomUUID();
    let environment = baseEnvironment(request);
    let masker: Masker | undefined;
    let releaseLogMask: (() => void) | undefined;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onCancel = () =>
      controller.abort(
        new CofferError("action_cancelled", `Action ${request.actionId} was cancelled before it finished.`),
      );
    try {
      const entry = registry.get(request.actionId);
      if (!entry) throw unknownAction(request.actionId);

      const environmentVars = environmentVariables(request.environment);
      let variablesForEnvironment: Record<string, unknown> = {};
      if (environmentVars.length > 0) {
        // The one case with a second read: the environment's own VARS come from the base environment.
        const forEnvironment = await resolution.resolveForRun({
          workspaceId: request.workspaceId,
          environment,
          secretNames: [],
          variableNames: environmentVars,
          runId,
          actionId: entry.id,
          actor: request.actor,
        });
        variablesForEnvironment = Object.fromEntries(forEnvironment.variables);
      }
      environment = effectiveEnvironment(request, variablesForEnvironment);

      const needs = collectNeeds(registry, entry, request.args);
      const requiredKeys: Record<string, string[]> = {};
      for (const [name, need] of needs.secrets) if (need.keys.size > 0) requiredKeys[name] = [...need.keys];
      const resolved = await resolution.resolveForRun({
        workspaceId: request.workspaceId,
        environment,
        secretNames: [...needs.secrets.keys()],
        variableNames: [...needs.variables],
        requiredKeys,
        runId,
        actionId: entry.id,
        actor: request.actor,
      });
      const problem = unresolvedError({ action: entry.id }, environment, needs, resolved);
      if (problem) throw problem;

      const secrets = new Map<string, Record<string, string>>();
      for (const secret of resolved.secrets.values()) if (secret.values) secrets.set(secret.name, { ...secret.values });

      const timeoutMs = request.timeoutMs ?? deps.config.runtime.actionTimeoutMs;
      const deadline = Date.now() + timeoutMs;
      timer = setTimeout(
        () =>
          controller.abort(
            new CofferError(
              "action_timeout",
              `Action ${entry.id} did not finish within ${formatDuration(timeoutMs)} and was stopped. Raise its timeout (COFFER_ACTION_TIMEOUT_SECONDS) if it needs longer.`,
              { details: { action: entry.id, timeoutMs } },
            ),
          ),
        timeoutMs,
      );
      if (request.signal?.aborted) onCancel();
      request.signal?.addEventListener("abort", onCancel, { once: true });

      // The values as stored stay in the mask set when a preprocessor replaces them (a role ARN).
      const storedValues = maskSet(secrets);
      try {
        for (const preprocessor of preprocessors) {
          await untilAborted(
            preprocessor.process({
              workspaceId: request.workspaceId,
              environment,
              actionId: entry.id,
              runId,
              secrets,
              signal: controller.signal,
            }),
            controller.signal,
          );
        }
      } finally {
        // Built from the values after preprocessing (AssumeRole credentials, refreshed tokens),
        // before anything of the run can print; also when a preprocessor failed half-way.
        masker = deps.createMasker([...new Set([...storedValues, ...maskSet(secrets)])]);
        const inFlight = masker;
        if (inFlight.patternCount > 0) releaseLogMask = deps.logMasks?.add((line) => inFlight.maskText(line));
      }

      const frozen = new Map<string, Readonly<Record<string, string>>>();
      for (const [name, values] of secrets) frozen.set(name, Object.freeze({ ...values }));
      const runMasker = masker;
      const scope: RunScope = {
        request,
        runId,
        environment,
        secrets: frozen,
        SECRETS: Object.freeze(Object.fromEntries(frozen)),
        VARS: Object.freeze(Object.fromEntries(resolved.variables)),
        masker: runMasker,
        signal: controller.signal,
        deadline,
        emitLog: (actionId, level, message, fields) => {
          const text = runMasker.maskText(message);
          const masked = fields ? runMasker.maskValue(fields) : undefined;
          if (request.onOutput) {
            const extra = masked && Object.keys(masked).length > 0 ? ` ${JSON.stringify(masked)}` : "";
            request.onOutput("log", `${level}: ${text}${extra}`);
          } else {
            logger[level]({ ...masked, action: actionId, run_id: runId }, text);
          }
        },
        emitOutput: (stream, text) => {
          if (request.onOutput) request.onOutput(stream, text);
          else logger.info({ stream, action: entry.id, run_id: runId }, text);
        },
      };

      const context = request.context;
      const args = evaluateArgs(
        request.args,
        scope,
        `the args of ${entry.id}`,
        context ? { ACTIONS: context.ACTIONS, TRIGGER: context.TRIGGER, ENV: context.ENV, var: context.var } : {},
      );
      const result = await dispatch(entry, args, scope);
      const masked = runMasker.maskValue(result);
      return { status: "succeeded", environment, result: request.maskOutput ? maskEveryLeaf(masked) : masked };
    } catch (error) {
      return { status: "failed", environment, error: toFailure(error, masker) };
    } finally {
      if (timer) clearTimeout(timer);
      releaseLogMask?.();
      request.signal?.removeEventListener("abort", onCancel);
    }
  }

  async function dispatch(entry: ActionEntry, args: unknown, scope: RunScope): Promise<unknown> {
    if (scope.signal.aborted) throw scope.signal.reason;
    switch (entry.kind) {
      case "builtin":
        return runBuiltin(entry, args, scope);
      case "custom":
        return runCustom(entry, args, scope);
      case "template":
        return runTemplate(entry, args, scope);
    }
  }

  async function runBuiltin(
    entry: Extract<ActionEntry, { kind: "builtin" }>,
    args: unknown,
    scope: RunScope,
  ): Promise<unknown> {
    const parsed = entry.definition.args.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join(".") || "(args)",
        code: i.code,
        message: i.message,
      }));
      throw new CofferError(
        "action_args_invalid",
        `Invalid args for action ${entry.id}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}.`,
        { details: { action: entry.id, issues } },
      );
    }
    const ctx: ActionContext = Object.freeze({
      secrets: createSecretsAccessor(scope.secrets, {
        actionId: entry.id,
        environment: scope.environment,
        declarations: entry.secrets,
      }),
      log: createActionLog((level, message, fields) => scope.emitLog(entry.id, level, message, fields)),
      signal: scope.signal,
      environment: scope.environment,
      runId: scope.runId,
      actionId: entry.id,
    });
    return untilAborted(
      Promise.resolve().then(() => entry.definition.handler(parsed.data, ctx)),
      scope.signal,
    );
  }

  async function runCustom(
    entry: Extract<ActionEntry, { kind: "custom" }>,
    args: unknown,
    scope: RunScope,
  ): Promise<unknown> {
    const streams = { stdout: scope.masker.createStream(), stderr: scope.masker.createStream() };
    const flush = (stream: "stdout" | "stderr", text: string) => {
      if (text !== "") scope.emitOutput(stream, text);
    };
    let outcome: CustomActionOutcome;
    try {
      outcome = await deps.runCustomAction({
        moduleFile: entry.moduleFile,
        exportName: entry.exportName,
        readablePaths: entry.readablePaths,
        args,
        secrets: scope.SECRETS,
        environment: scope.environment,
        runId: scope.runId,
        actionId: entry.id,
        timeoutMs: Math.max(1, scope.deadline - Date.now()),
        signal: scope.signal,
        onLog: (level, message, fields) => scope.emitLog(entry.id, level, message, fields),
        onOutput: (stream, chunk) => flush(stream, streams[stream].write(chunk)),
      });
    } finally {
      flush("stdout", streams.stdout.end());
      flush("stderr", streams.stderr.end());
    }
    if (outcome.ok) return outcome.result;
    // The child saw our abort (timeout or cancel) first: report our reason, not "cancelled".
    if (scope.signal.aborted) throw scope.signal.reason;
    const code: ErrorCode = isErrorCode(outcome.error.code) ? outcome.error.code : "action_failed";
    throw new CofferError(code, outcome.error.message, { details: outcome.error.details ?? {} });
  }

  async function runTemplate(
    entry: Extract<ActionEntry, { kind: "template" }>,
    args: unknown,
    scope: RunScope,
  ): Promise<unknown> {
    const inputs = templateInputs(entry, args);
    const steps: Record<string, { result: unknown }> = {};
    for (const step of entry.template.steps) {
      const inner = registry.get(step.action);
      if (!inner) throw unknownAction(step.action);
      const where = `step \`${step.ref}\` of ${entry.id}`;
      const stepArgs = evaluateArgs(step.args, scope, `the args of ${where}`, { inputs, steps });
      try {
        steps[step.ref] = { result: await dispatch(inner, stepArgs, scope) };
      } catch (error) {
        if (isCofferError(error) && (error.code === "action_timeout" || error.code === "action_cancelled")) throw error;
        const failure = toFailure(error, undefined);
        throw new CofferError(
          isErrorCode(failure.code) ? failure.code : "action_failed",
          `Step \`${step.ref}\` (${step.action}) of ${entry.id} failed: ${failure.message}`,
          { details: { ...failure.details, template: entry.id, step: step.ref } },
        );
      }
    }
    const returns = entry.template.returns;
    if (returns === undefined || returns === null) return null;
    return evaluateArgs(returns, scope, `the returns of ${entry.id}`, { inputs, steps });
  }

  return { runAction };
}

function evaluateArgs(value: unknown, scope: RunScope, what: string, extra: Record<string, unknown> = {}): unknown {
  try {
    return evaluate(value, { SECRETS: scope.SECRETS, VARS: scope.VARS, ...extra });
  } catch (error) {
    if (error instanceof ExpressionError) {
      const at = error.location.length > 0 ? ` at ${error.location.join(".")}` : "";
      throw new CofferError("expression_error", `Cannot evaluate ${what}${at}: ${error.format()}`, {
        details: { expressionCode: error.code, location: error.location.map(String) },
      });
    }
    throw error;
  }
}

/** A template's inputs: its args checked against `expects`, with declared defaults filled in. */
function templateInputs(entry: Extract<ActionEntry, { kind: "template" }>, args: unknown): Record<string, unknown> {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new CofferError("action_args_invalid", `The args of template action ${entry.id} must be an object.`, {
      details: { action: entry.id },
    });
  }
  const expects = entry.template.expects;
  const given = args as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !Object.hasOwn(expects, k));
  const inputs: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(expects)) {
    if (Object.hasOwn(given, name)) inputs[name] = given[name];
    else if (spec && Object.hasOwn(spec, "default")) inputs[name] = spec.default;
    else missing.push(name);
  }
  if (unknown.length > 0 || missing.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(", ")}`);
    if (unknown.length > 0) parts.push(`unknown ${unknown.join(", ")}`);
    throw new CofferError(
      "action_args_invalid",
      `Invalid args for template action ${entry.id}: ${parts.join("; ")}. It expects: ${Object.keys(expects).join(", ") || "no inputs"}.`,
      { details: { action: entry.id, missing, unknown, expects: Object.keys(expects) } },
    );
  }
  return inputs;
}

function unknownAction(id: string): CofferError {
  return new CofferError(
    "action_not_found",
    `There is no action ${id}. Run \`coffer actions list\` to see the actions this registry holds (custom ones load from COFFER_REGISTRY_PATH).`,
    { details: { action: id } },
  );
}

function maskSet(secrets: ReadonlyMap<string, Readonly<Record<string, string>>>): string[] {
  const values: string[] = [];
  for (const keys of secrets.values()) for (const value of Object.values(keys)) values.push(value);
  return values;
}

/** `mask_output: true`: the shape stays, every leaf becomes `***`. */
function maskEveryLeaf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskEveryLeaf);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskEveryLeaf(v);
    return out;
  }
  return "***";
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Any error as the run reports it: a stable code, the message and details masked. */
function toFailure(
  error: unknown,
  masker: Masker | undefined,
): { code: string; message: string; details?: Record<string, unknown> } {
  const maskText = (t: string) => (masker ? masker.maskText(t) : t);
  let code: string;
  let message: string;
  let details: Record<string, unknown> | undefined;
  if (isCofferError(error)) {
    code = error.code;
    message = error.message;
    details = Object.keys(error.details).length > 0 ? error.details : undefined;
  } else if (error instanceof ExpressionError) {
    code = "expression_error";
    message = error.format();
  } else if (error instanceof Error) {
    code = "action_failed";
    message = `${error.name}: ${error.message}`;
  } else {
    code = "action_failed";
    message = `The action threw a ${typeof error} instead of an Error.`;
  }
  return {
    code,
    message: maskText(message),
    ...(details ? { details: masker ? masker.maskValue(details) : details } : {}),
  };
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
