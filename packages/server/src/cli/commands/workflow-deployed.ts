// `coffer workflow deploy | list | runs | show-run`: deployed workflows and stored runs. Only
// `deploy` loads the runtime (to check the document against the registry).
import { CofferError, isCofferError, type RunDocument, type RunItem } from "@coffer/core";
import { type Command, CommanderError, Option } from "commander";
import type { CliContext } from "../context.js";
import { readTextFile } from "./options.js";

interface Common {
  workspace: string;
  json?: boolean;
}

const workspaceOption = () => new Option("-w, --workspace <workspace>", "workspace id or name").default("default");

function duration(ms: number | null): string {
  if (ms === null) return "…";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function runLine(r: RunItem): string {
  const what = r.workflow_id ? `${r.workflow_id}@${r.workflow_version}` : "(file)";
  const parent = r.parent_run_id ? `  ${r.parent_kind} of ${r.parent_run_id}` : "";
  return `${r.id}  ${r.status.padEnd(9)}  ${r.started_at}  ${duration(r.duration_ms).padStart(8)}  ${what}  [${r.environment}]${r.reason ? `  (${r.reason})` : ""}${parent}`;
}

function showRun(doc: RunDocument): string {
  const lines = [runLine(doc), `  title: ${doc.title}`];
  for (const [ref, a] of Object.entries(doc.actions)) {
    const mark = a.status === "succeeded" ? "✓" : a.status === "skipped" ? "-" : "✗";
    const tail = a.error ? `  ${a.error.code}: ${a.error.message.split("\n").filter(Boolean).slice(-1)[0] ?? ""}` : "";
    lines.push(
      `  ${mark} ${ref}  ${a.status}  ${a.duration_ms} ms  attempts ${a.attempts}${a.environment ? `  [${a.environment}]` : ""}${tail}`,
    );
  }
  if (doc.error) lines.push(`  error: ${doc.error.code}: ${doc.error.message}`);
  return lines.join("\n");
}

export function registerDeployedCommands(g: Command, context: CliContext): Command[] {
  const deploy: Command = g
    .command("deploy")
    .argument("<file>", "the workflow YAML (or JSON) file")
    .description("deploy a workflow file to the workspace; under an existing alias it becomes a new version")
    .addOption(workspaceOption())
    .option("-a, --alias <alias>", "the alias to deploy under (deploying again under it makes a new version)")
    .option("--json", 'print {"id", "alias", "version"} on stdout')
    .action(async (file: string, options: Common & { alias?: string }) => {
      const source = readTextFile(file, "the workflow file");
      const [{ openRuntime }, { checkForDeploy }] = await Promise.all([
        import("../../runtime-context.js"),
        import("../../runs/deploy.js"),
      ]);
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
      const runtime = await openRuntime(context.config(), { warn: (m) => context.note(`warning: ${m}`) });
      try {
        let checked: Awaited<ReturnType<typeof checkForDeploy>>;
        try {
          checked = await checkForDeploy(coffer, runtime.registry, workspaceId, source);
        } catch (error) {
          if (isCofferError(error) && error.code === "workflow_invalid") {
            const problems = (error.details.problems as { message: string }[] | undefined) ?? [
              { message: error.message },
            ];
            if (options.json)
              context.out(JSON.stringify({ error: { code: error.code, message: error.message, problems } }));
            else for (const p of problems) context.note(`error: ${p.message}`);
            throw new CommanderError(2, "coffer.workflow_invalid", "");
          }
          throw error;
        }
        const item = await coffer.workflows.deploy(
          workspaceId,
          { ...checked, ...(options.alias !== undefined ? { alias: options.alias } : {}) },
          context.actor(),
        );
        for (const w of checked.warnings) context.note(`warning: ${w.message}`);
        if (options.json) context.out(JSON.stringify({ id: item.id, alias: item.alias, version: item.version }));
        else
          context.out(
            `deployed ${item.id}${item.alias ? ` (alias ${item.alias})` : ""} version ${item.version}: ${item.title}`,
          );
      } finally {
        await runtime.close();
      }
    });

  const list: Command = g
    .command("list")
    .description("list the workflows deployed in the workspace")
    .addOption(workspaceOption())
    .option("--json", "print {items: [...]} on stdout")
    .action(async (options: Common) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
      const items = [];
      let cursor: string | undefined;
      do {
        const page = await coffer.workflows.list(workspaceId, { limit: 1000, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      if (options.json) context.out(JSON.stringify({ items }));
      else if (items.length === 0)
        context.note("No workflows deployed; deploy one with `coffer workflow deploy FILE`.");
      else
        for (const w of items)
          context.out(`${w.id}  ${(w.alias ?? "-").padEnd(20)}  v${w.version}  ${w.updated_at}  ${w.title}`);
    });

  const runs: Command = g
    .command("runs")
    .argument("[workflow]", "only this workflow's runs (id or alias)")
    .description("list stored runs, newest first")
    .addOption(workspaceOption())
    .addOption(
      new Option("-s, --status <status>", "only runs with this status").choices([
        "running",
        "succeeded",
        "failed",
        "cancelled",
      ]),
    )
    .option("-n, --limit <n>", "how many (default 20, at most 1000)", "20")
    .option("--cursor <cursor>", "the next_cursor of a previous --json page")
    .option("--json", "print {items, next_cursor} on stdout")
    .action(
      async (workflow: string | undefined, options: Common & { status?: string; limit: string; cursor?: string }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new CofferError(
            "invalid_argument",
            `--limit must be a whole number from 1 to 1000 (got '${options.limit}').`,
          );
        const coffer = await context.coffer();
        const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
        await coffer.runs.recoverInterrupted();
        let workflowId: string | undefined;
        if (workflow !== undefined) {
          const found =
            (await coffer.workflows.find(workspaceId, { id: workflow })) ??
            (await coffer.workflows.find(workspaceId, { alias: workflow }));
          if (!found)
            throw new CofferError(
              "workflow_not_found",
              `No workflow '${workflow}' (id or alias) is deployed in this workspace.`,
              {
                status: 404,
              },
            );
          workflowId = found.id;
        }
        const page = await coffer.runs.list(workspaceId, {
          limit,
          ...(workflowId ? { workflowId } : {}),
          ...(options.status ? { status: options.status } : {}),
          ...(options.cursor ? { cursor: options.cursor } : {}),
        });
        if (options.json) context.out(JSON.stringify(page));
        else if (page.items.length === 0) context.note("No runs.");
        else {
          for (const r of page.items) context.out(runLine(r));
          if (page.next_cursor) context.note(`more: --cursor ${page.next_cursor}`);
        }
      },
    );

  const showRunCommand: Command = g
    .command("show-run")
    .argument("<run>", "the run id")
    .description("show a stored run with its action runs")
    .addOption(workspaceOption())
    .option("--json", "print the run document on stdout")
    .action(async (runId: string, options: Common) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
      await coffer.runs.recoverInterrupted();
      const doc = await coffer.runs.get(workspaceId, runId);
      if (options.json) context.out(JSON.stringify(doc));
      else context.out(showRun(doc));
    });

  return [deploy, list, runs, showRunCommand];
}
