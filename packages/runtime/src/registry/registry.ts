/**
 * The action registry: the built-ins passed in, plus every custom action found in the registry
 * folders at start — code modules (.ts/.mjs/.js, bundled with esbuild and described by a
 * sandboxed child: the host never runs their code) and YAML template actions. A file that does
 * not load becomes a RegistryLoadError naming file and field; everything else still loads.
 */
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve, sep } from "node:path";
import { type ActionDefinition, isOAuthDeclaration, type SecretDeclaration, z } from "@coffer/sdk";
import { cofferModules, createSandbox, type Sandbox, type SandboxOptions } from "../sandbox/sandbox.js";
import type { DescribedAction } from "../sandbox/sandbox-protocol.js";
import { bundleActionFile, describeBuildFailure } from "./bundle.js";
import { checkIdentity, checkSecretDeclarations } from "./declarations.js";
import type { ActionEntry, Registry, RegistryLoadError } from "./registry.types.js";
import { parseTemplateFile } from "./templates.js";

/** Any action definition, whatever its args: a handler's parameter type is specific to each action. */
// biome-ignore lint/suspicious/noExplicitAny: the list holds definitions of every args type.
export type AnyActionDefinition = ActionDefinition<any, any>;

export interface CreateRegistryOptions {
  builtins: readonly AnyActionDefinition[];
  /** Folders scanned for custom actions (`runtime.registryPaths`). */
  paths: readonly string[];
  /** The sandbox that describes custom modules; made from `sandboxOptions` (default auto) when a module needs one. */
  sandbox?: Sandbox;
  sandboxOptions?: SandboxOptions;
  /** Where compiled bundles go (default a fresh folder under the OS temp dir); never inside `home`. */
  cacheDir?: string;
  /** `$COFFER_HOME`: neither the registry folders nor the bundles may live there (the sandbox hides it). */
  home?: string;
  /** Files a custom action must never read (the SQLite database): a registry folder may not hold one. */
  protectedFiles?: readonly string[];
  logger?: { warn(message: string): void };
  /** Modules bundled and described at once (default 2). */
  concurrency?: number;
}

export interface LoadedRegistry extends Registry {
  /** The sandbox custom actions run in (undefined when no custom module was found). */
  readonly sandbox: Sandbox | undefined;
  /** Removes the compiled bundles when the registry made their folder. */
  close(): Promise<void>;
}

const CODE_EXTENSIONS = new Set([".ts", ".mts", ".mjs", ".js"]);
const TEMPLATE_EXTENSIONS = new Set([".yml", ".yaml"]);

interface Candidate {
  entry: ActionEntry;
  file: string;
  /** Prefix of this action's fields in its file (`lookup.` for an export, `definition.` for YAML). */
  prefix: string;
}

function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

export function argsSchemaOf(args: unknown): unknown {
  try {
    return z.toJSONSchema(args as z.ZodType, { unrepresentable: "any" });
  } catch {
    return null;
  }
}

async function listFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const ext = extname(entry.name);
        if (entry.name.endsWith(".d.ts")) continue;
        if (CODE_EXTENSIONS.has(ext) || TEMPLATE_EXTENSIONS.has(ext)) out.push(path);
      }
    }
  };
  await walk(folder);
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function createRegistry(options: CreateRegistryOptions): Promise<LoadedRegistry> {
  const errors: RegistryLoadError[] = [];
  const candidates: Candidate[] = [];
  const home = options.home ? resolve(options.home) : undefined;

  for (const definition of options.builtins) {
    const file = `(built-in ${definition.id})`;
    const raw = definition as unknown as Record<string, unknown>;
    const secrets = checkSecretDeclarations(raw.secrets, "secrets");
    const problems = [...checkIdentity(raw, ""), ...secrets.problems];
    if (problems.length) {
      for (const p of problems) errors.push({ file, ...p });
      continue;
    }
    candidates.push({
      file,
      prefix: "",
      entry: {
        kind: "builtin",
        id: definition.id,
        namespace: definition.namespace,
        name: definition.name,
        title: definition.title,
        description: definition.description ?? "",
        ...(definition.display_group !== undefined ? { displayGroup: definition.display_group } : {}),
        secrets: secrets.declarations,
        argsSchema: argsSchemaOf(definition.args),
        definition: definition as ActionDefinition,
      },
    });
  }

  // Folders first, so every file keeps its place in the load order (duplicates: first one wins).
  const folders: { folder: string; files: string[] }[] = [];
  for (const raw of options.paths) {
    const folder = resolve(raw);
    if (home && (within(folder, home) || within(home, folder))) {
      errors.push({
        file: folder,
        code: "action_load_failed",
        message: `Registry folder ${folder} overlaps COFFER_HOME (${home}), which custom actions must never read; move the actions elsewhere.`,
      });
      continue;
    }
    const held = (options.protectedFiles ?? []).map((f) => resolve(f)).find((f) => within(f, folder));
    if (held) {
      errors.push({
        file: folder,
        code: "action_load_failed",
        message: `Registry folder ${folder} holds ${held}, which custom actions must never read; move the actions or the database elsewhere.`,
      });
      continue;
    }
    try {
      if (!(await stat(folder)).isDirectory()) throw new Error("not a folder");
      folders.push({ folder, files: await listFiles(folder) });
    } catch (error) {
      errors.push({
        file: folder,
        code: "action_load_failed",
        message: `Registry folder ${folder} cannot be read (${error instanceof Error ? error.message : String(error)}); fix COFFER_REGISTRY_PATH.`,
      });
    }
  }

  const codeFiles = folders.flatMap(({ folder, files }) =>
    files.filter((f) => CODE_EXTENSIONS.has(extname(f))).map((file) => ({ folder, file })),
  );
  let sandbox = options.sandbox;
  let cacheDir = options.cacheDir ? resolve(options.cacheDir) : undefined;
  let ownCache = false;
  const described = new Map<
    string,
    { moduleFile: string; readablePaths: string[]; actions: DescribedAction[] } | RegistryLoadError
  >();
  if (codeFiles.length) {
    sandbox ??= await createSandbox(
      options.sandboxOptions ?? { mode: "auto", ...(options.logger ? { logger: options.logger } : {}) },
    );
    if (!cacheDir) {
      cacheDir = await mkdtemp(join(tmpdir(), "coffer-actions-"));
      ownCache = true;
    }
    if (home && within(cacheDir, home)) {
      throw new Error(`The action bundle folder ${cacheDir} is inside COFFER_HOME, which the sandbox hides.`);
    }
    const modules = cofferModules();
    const targets = { sdkEntry: modules.sdkEntry, zodEntry: modules.zodEntry };
    const results = await mapLimit(codeFiles, options.concurrency ?? 2, async ({ folder, file }) => {
      let moduleFile: string;
      try {
        moduleFile = await bundleActionFile(file, cacheDir!, targets);
      } catch (error) {
        return {
          file,
          code: "action_load_failed",
          message: `The module could not be compiled:\n${describeBuildFailure(error)}`,
        } satisfies RegistryLoadError;
      }
      const readablePaths = [folder, dirname(moduleFile)];
      try {
        const actions = await sandbox!.describeCustomModule(moduleFile, readablePaths);
        return { moduleFile, readablePaths, actions };
      } catch (error) {
        return {
          file,
          code: "action_load_failed",
          message: error instanceof Error ? error.message : String(error),
        } satisfies RegistryLoadError;
      }
    });
    codeFiles.forEach(({ file }, i) => {
      described.set(file, results[i]!);
    });
  }

  for (const { files } of folders) {
    for (const file of files) {
      if (TEMPLATE_EXTENSIONS.has(extname(file))) {
        let text: string;
        try {
          text = await readFile(file, "utf8");
        } catch (error) {
          errors.push({ file, code: "action_load_failed", message: `Cannot read the file: ${String(error)}` });
          continue;
        }
        const { parsed, problems } = parseTemplateFile(text);
        for (const p of problems) errors.push({ file, ...p });
        if (!parsed) continue;
        candidates.push({
          file,
          prefix: "definition.",
          entry: {
            kind: "template",
            id: `${parsed.namespace}.${parsed.name}`,
            namespace: parsed.namespace,
            name: parsed.name,
            title: parsed.title,
            description: parsed.description,
            ...(parsed.displayGroup !== undefined ? { displayGroup: parsed.displayGroup } : {}),
            secrets: parsed.secrets,
            argsSchema: parsed.argsSchema,
            file,
            template: parsed.template,
          },
        });
        continue;
      }
      const result = described.get(file);
      if (!result) continue;
      if ("code" in result) {
        errors.push(result);
        continue;
      }
      for (const action of result.actions) {
        const prefix = `${action.exportName}.`;
        const raw = action as unknown as Record<string, unknown>;
        const secrets = checkSecretDeclarations(action.secrets, `${prefix}secrets`);
        const problems = [
          ...(action.problems ?? []).map((p) => ({
            field: `${prefix}${p.field}`,
            code: "invalid_action",
            message: p.message,
          })),
          ...checkIdentity(raw, prefix),
          ...secrets.problems,
        ];
        if (problems.length) {
          for (const p of problems) errors.push({ file, ...p });
          continue;
        }
        candidates.push({
          file,
          prefix,
          entry: {
            kind: "custom",
            id: `${action.namespace}.${action.name}`,
            namespace: action.namespace,
            name: action.name,
            title: action.title,
            description: action.description,
            ...(action.displayGroup !== undefined ? { displayGroup: action.displayGroup } : {}),
            secrets: secrets.declarations,
            argsSchema: action.argsSchema,
            file,
            moduleFile: result.moduleFile,
            exportName: action.exportName,
            readablePaths: [...result.readablePaths, ...sandbox!.modulePaths],
          },
        });
      }
    }
  }

  const accepted = new Map<string, Candidate>();
  const secretTypes = new Map<string, { type: string; id: string; file: string }>();
  for (const candidate of candidates) {
    const { entry, file, prefix } = candidate;
    const first = accepted.get(entry.id);
    if (first) {
      errors.push({
        file,
        field: `${prefix}name`,
        code: "duplicate_action",
        message: `Action ${entry.id} is defined twice: in ${first.file} and in ${file}. Rename one of them (namespace or name); the first one is kept.`,
      });
      continue;
    }
    const conflicts: RegistryLoadError[] = [];
    entry.secrets.forEach((declaration: SecretDeclaration, i) => {
      if (isOAuthDeclaration(declaration) || declaration.secret_type === undefined) return;
      const seen = secretTypes.get(declaration.name);
      if (seen && seen.type !== declaration.secret_type) {
        conflicts.push({
          file,
          field: `${prefix}secrets[${i}].secret_type`,
          code: "conflicting_secret_type",
          message: `Secret ${declaration.name} is declared as ${declaration.secret_type} here but as ${seen.type} by ${seen.id} (${seen.file}); one secret name has one type.`,
        });
      }
    });
    if (conflicts.length) {
      errors.push(...conflicts);
      continue;
    }
    for (const declaration of entry.secrets) {
      if (isOAuthDeclaration(declaration) || declaration.secret_type === undefined) continue;
      if (!secretTypes.has(declaration.name)) {
        secretTypes.set(declaration.name, { type: declaration.secret_type, id: entry.id, file });
      }
    }
    accepted.set(entry.id, candidate);
  }

  // Template steps, now that every action is known; a template may use another template.
  const state = new Map<string, "checking" | "ok" | "bad">();
  const checkTemplate = (id: string): boolean => {
    const known = state.get(id);
    if (known === "ok") return true;
    if (known === "bad" || known === "checking") return false;
    const candidate = accepted.get(id)!;
    if (candidate.entry.kind !== "template") return true;
    state.set(id, "checking");
    const problems: RegistryLoadError[] = [];
    candidate.entry.template.steps.forEach((step, i) => {
      const field = `definition.steps[${i}].action`;
      const target = accepted.get(step.action);
      if (!target) {
        problems.push({
          file: candidate.file,
          field,
          code: "unknown_action",
          message: `Step ${step.ref} uses ${step.action}, which is not an action of this registry (or did not load: see its own error).`,
        });
      } else if (target.entry.kind === "template") {
        if (state.get(step.action) === "checking") {
          problems.push({
            file: candidate.file,
            field,
            code: "invalid_template",
            message: `Step ${step.ref} uses ${step.action}, which uses ${id} in turn: templates cannot call each other in a cycle.`,
          });
        } else if (!checkTemplate(step.action)) {
          problems.push({
            file: candidate.file,
            field,
            code: "unknown_action",
            message: `Step ${step.ref} uses template ${step.action}, which did not load (see its own error).`,
          });
        }
      }
    });
    state.set(id, problems.length ? "bad" : "ok");
    errors.push(...problems);
    return problems.length === 0;
  };
  for (const [id, candidate] of accepted) if (candidate.entry.kind === "template") checkTemplate(id);
  for (const [id, s] of state) if (s === "bad") accepted.delete(id);

  const byId = new Map([...accepted].map(([id, c]) => [id, c.entry]));
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    get: (id) => byId.get(id),
    list: () => sorted,
    errors,
    sandbox: codeFiles.length ? sandbox : options.sandbox,
    async close() {
      if (ownCache && cacheDir) await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
