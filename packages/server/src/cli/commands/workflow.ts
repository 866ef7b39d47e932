import { CofferError } from "@coffer/core";
import type { ActionOutcome, WorkflowDocument, WorkflowRunResult } from "@coffer/runtime";
import { type Command, CommanderError, Option } from "commander";
import type { CliContext } from "../context.js";
import { readTextFile } from "./options.js";

interface RunOptions {
  workspace: string;
  env?: string;
  trigger?: string;
  json?: boolean;
}

function group(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === "workflows") ??
    program.command("workflows").description("run and check Tracecat-style workflow files")
  );
}

function usage(command: Command, message: string): never {
  command.error(`error: ${message}`, { exitCode: 2 });
  throw new Error("unreachable");
}

function parseTrigger(text: string | undefined, command: Command): unknown {
  if (text === undefined) return undefined;
  const source = text.startsWith("@") ? readTextFile(text.slice(1), "the --trigger file") : text;
  try {
    return JSON.parse(source);
  } catch {
    // The parser's message may quote pasted text: say only what to fix.
    return usage(command, "--trigger is not valid JSON; give a JSON value, or @file to read one from a file.");
  }
}

function readWorkflow(file: string): string {
  return readTextFile(file, "the workflow file");
}

/** The `--json` document: only what a caller needs, errors by code and message. */
function statusDocument(run: WorkflowRunResult): Record<string, unknown> {
  const actions: Record<string, unknown> = {};
  for (const [ref, o] of Object.entries(run.actions)) {
    if (o.status === "succeeded") actions[ref] = { status: o.status, result: o.result };
    else if (o.status === "failed")
      actions[ref] = { status: o.status, error: { code: o.error.code, type: o.error.type, message: o.error.message } };
    else actions[ref] = { status: o.status };
  }
  return {
    id: run.id,
    status: run.status,
    environment: run.environment,
    returns: run.returns,
    actions,
    ...(run.error ? { error: { code: run.error.code, message: run.error.message } } : {}),
  };
}

function summary(run: WorkflowRunResult): string {
  const lines: string[] = [];
  const ms = (o: ActionOutcome) => `${o.finishedAt - o.startedAt} ms`;
  for (const [ref, o] of Object.entries(run.actions)) {
    if (o.status === "succeeded") lines.push(`  ✓ ${ref}  ${ms(o)}${o.environment ? `  [${o.environment}]` : ""}`);
    else if (o.status === "skipped") lines.push(`  - ${ref}  skipped`);
    else
      lines.push(
        `  ✗ ${ref}  ${ms(o)}  ${o.error.code}: ${o.error.message.split("\n").filter(Boolean).slice(-1)[0] ?? ""}`,
      );
  }
  lines.push(
    `workflow ${run.status} in ${run.finishedAt - run.startedAt} ms (run ${run.id}, environment ${run.environment})`,
  );
  return lines.join("\n");
}

/**
 * `coffer workflow run FILE [--trigger JSON|@file] [--env E] [--json]` and
 * `coffer workflow check FILE [--env E]`. Exit 0 success, 1 a failed run or problems found, 2
 * usage or an invalid file.
 */
export function registerWorkflowCommands(program: Command, context: CliContext): void {
  const g = group(program);
  const run: Command = g
    .command("run")
    .argument("<file>", "the workflow YAML file")
    .description("run a workflow file: every action goes through the executor, secrets per action environment")
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .option("-e, --env <environment>", "the run's environment (overrides config.environment)")
    .option("-t, --trigger <json>", "the trigger payload as JSON, or @file")
    .option("--json", 'print only {"id", "status", "environment", "returns", "actions"} on stdout')
    .action(async (file: string, options: RunOptions) => {
      const trigger = parseTrigger(options.trigger, run);
      // The runtime (registry, sandbox, built-ins) loads here, so no other command pays for it.
      const [{ createExecutor, createMasker, parseWorkflowText, runWorkflow }, { openRuntime }] = await Promise.all([
        import("@coffer/runtime"),
        import("../../runtime-context.js"),
      ]);
      let doc: WorkflowDocument;
      try {
        doc = parseWorkflowText(readWorkflow(file));
      } catch (error) {
        if (error instanceof CofferError) {
          if (options.json)
            context.out(JSON.stringify({ status: "failed", error: { code: error.code, message: error.message } }));
          else context.note(`error: ${error.message} [${error.code}]`);
          throw new CommanderError(2, "coffer.workflow_invalid", "");
        }
        throw error;
      }
      const coffer = await context.coffer();
      const environment = options.env?.trim();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: environment ?? "default" });
      const runtime = await openRuntime(context.config(), { warn: (m) => context.note(`warning: ${m}`) });
      try {
        const executor = createExecutor({
          registry: runtime.registry,
          resolution: coffer.resolution,
          logger: coffer.logger,
          logMasks: coffer.logMasks,
          config: context.config(),
          createMasker,
          runCustomAction: (request) => runtime.sandbox.runCustomAction(request),
          preprocessors: runtime.preprocessors,
        });
        const result = await runWorkflow(doc, {
          runAction: (request) =>
            executor.runAction({
              ...request,
              onOutput: (_stream, text) => context.writeErr(text.endsWith("\n") ? text : `${text}\n`),
            }),
          workspaceId,
          actor: context.actor(),
          trigger,
          ...(environment ? { runEnvironment: environment } : {}),
        });
        if (options.json) context.out(JSON.stringify(statusDocument(result)));
        else {
          context.note(summary(result));
          if (result.status === "succeeded") context.out(JSON.stringify(result.returns ?? null, null, 2));
          else context.note(`error: ${result.error?.message ?? "the run failed"}`);
        }
        if (result.status === "failed") throw new CommanderError(1, "coffer.workflow_failed", "");
      } finally {
        await runtime.close();
      }
    });
  const checkCommand: Command = g
    .command("check")
    .argument("<file>", "the workflow YAML file")
    .description(
      "check a workflow file without running it: document, actions, args, expressions, secrets per environment",
    )
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .option("-e, --env <environment>", "the run's environment to check against")
    .option("--json", "print the problems as JSON")
    .action(async (file: string, options: RunOptions) => {
      const text = readWorkflow(file);
      const [{ checkWorkflow }, { openRuntime }] = await Promise.all([
        import("@coffer/runtime"),
        import("../../runtime-context.js"),
      ]);
      const coffer = await context.coffer();
      const environment = options.env?.trim();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: environment ?? "default" });
      const runtime = await openRuntime(context.config(), { warn: (m) => context.note(`warning: ${m}`) });
      try {
        const result = await checkWorkflow(text, {
          registry: runtime.registry,
          ...(environment ? { runEnvironment: environment } : {}),
          listSecrets: async (env) => {
            const out: { name: string; keys: string[] }[] = [];
            let cursor: string | undefined;
            do {
              const page = await coffer.secrets.list(workspaceId, {
                environment: env,
                limit: 500,
                ...(cursor ? { cursor } : {}),
              });
              for (const s of page.items) out.push({ name: s.name, keys: s.keys });
              cursor = page.next_cursor ?? undefined;
            } while (cursor);
            return out;
          },
        });
        const errors = result.problems.filter((p) => p.severity === "error");
        if (options.json) context.out(JSON.stringify({ ok: errors.length === 0, problems: result.problems }));
        else if (result.problems.length === 0) context.out(`ok: ${file} has no problems`);
        else {
          for (const p of result.problems) context.out(`${p.severity}: ${p.message}`);
          context.note(`${errors.length} error(s), ${result.problems.length - errors.length} warning(s)`);
        }
        if (errors.length > 0) throw new CommanderError(1, "coffer.workflow_check_failed", "");
      } finally {
        await runtime.close();
      }
    });
  for (const c of [run, checkCommand]) {
    c.exitOverride((error) => {
      throw error.exitCode === 0 || error.code.startsWith("coffer.")
        ? error
        : new CommanderError(2, error.code, error.message);
    });
  }
}
