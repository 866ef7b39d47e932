import { CofferError } from "@coffer/core";
import type { ActionOutcome, WorkflowDocument, WorkflowRunResult } from "@coffer/runtime";
import { type Command, CommanderError, Option } from "commander";
import type { CliContext } from "../context.js";
import { readTextFile } from "./options.js";
import { registerDeployedCommands } from "./workflow-deployed.js";

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
    .argument("[file]", "the workflow YAML file (or --id / --alias for a deployed workflow)")
    .description(
      "run a workflow file or a deployed workflow: every action goes through the executor, secrets per action environment; the run is stored",
    )
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .option("-e, --env <environment>", "the run's environment (overrides config.environment)")
    .option("-t, --trigger <json>", "the trigger payload as JSON, or @file")
    .option("--id <id>", "run the newest version of the deployed workflow with this id")
    .option("--alias <alias>", "run the newest version of the deployed workflow with this alias")
    .option("--json", "print the stored run document {id, status, environment, returns, actions, …} on stdout")
    .action(async (file: string | undefined, options: RunOptions & { id?: string; alias?: string }) => {
      const sources = [file !== undefined, options.id !== undefined, options.alias !== undefined].filter(
        Boolean,
      ).length;
      if (sources !== 1) usage(run, "give exactly one of FILE, --id ID or --alias ALIAS.");
      const trigger = parseTrigger(options.trigger, run);
      // The runtime (registry, sandbox, built-ins) loads here, so no other command pays for it.
      const [{ parseWorkflowText }, { openRuntime }, { createRunManager }] = await Promise.all([
        import("@coffer/runtime"),
        import("../../runtime-context.js"),
        import("../../runs/run-manager.js"),
      ]);
      let doc: WorkflowDocument | undefined;
      if (file !== undefined) {
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
      }
      const coffer = await context.coffer();
      const environment = options.env?.trim();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: environment ?? "default" });
      await coffer.runs.recoverInterrupted();
      const runtime = await openRuntime(context.config(), { warn: (m) => context.note(`warning: ${m}`) });
      const manager = createRunManager(coffer, runtime);
      let workflow: { id: string; version: number } | null = null;
      if (!doc) {
        const lookup = options.alias !== undefined ? { alias: options.alias } : { id: options.id ?? "" };
        const found = await manager.deployed(workspaceId, lookup);
        if (!found) {
          await runtime.close();
          throw new CofferError(
            "workflow_not_found",
            `No workflow ${options.alias !== undefined ? `with alias '${options.alias}'` : `with id '${options.id}'`} is deployed in this workspace; see \`coffer workflow list\`.`,
            { status: 404 },
          );
        }
        doc = found.document;
        workflow = { id: found.id, version: found.version };
      }
      let runId: string | undefined;
      // Ctrl-C cancels the run (stored `cancelled`) instead of leaving it `running`.
      const onInterrupt = () => {
        if (runId) manager.cancel(workspaceId, runId, context.actor()).catch(() => {});
      };
      process.once("SIGINT", onInterrupt);
      try {
        const started = await manager.start({
          workspaceId,
          actor: context.actor(),
          doc,
          workflow,
          trigger,
          environment,
          onOutput: (_stream, text) => context.writeErr(text.endsWith("\n") ? text : `${text}\n`),
        });
        runId = started.id;
        const result = await started.result;
        const stored = await coffer.runs.get(workspaceId, started.id);
        if (options.json) context.out(JSON.stringify(stored));
        else {
          context.note(summary(result));
          if (result.status === "succeeded") context.out(JSON.stringify(result.returns ?? null, null, 2));
          else context.note(`error: ${stored.error?.message ?? result.error?.message ?? "the run failed"}`);
        }
        if (stored.status !== "succeeded") throw new CommanderError(1, "coffer.workflow_failed", "");
      } finally {
        process.off("SIGINT", onInterrupt);
        await manager.close();
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
  const deployed = registerDeployedCommands(g, context);
  for (const c of [run, checkCommand, ...deployed]) {
    c.exitOverride((error) => {
      throw error.exitCode === 0 || error.code.startsWith("coffer.")
        ? error
        : new CommanderError(2, error.code, error.message);
    });
  }
}
