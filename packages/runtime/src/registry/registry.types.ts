import type { ActionDefinition, SecretDeclaration } from "@coffer/sdk";

/** A step of a YAML template action (Tracecat's `definition.steps[]`). */
export interface TemplateStep {
  ref: string;
  action: string;
  args: Record<string, unknown>;
}

export interface TemplateActionBody {
  /** `definition.expects`: input name → its declared shape (type, description, default). */
  expects: Record<string, { type?: string; description?: string; default?: unknown }>;
  steps: TemplateStep[];
  /** `definition.returns`: a template (or structure of templates) over `steps.<ref>.result` and `inputs`. */
  returns: unknown;
}

interface ActionEntryBase {
  /** `<namespace>.<name>`. */
  id: string;
  namespace: string;
  name: string;
  title: string;
  description: string;
  displayGroup?: string;
  secrets: readonly SecretDeclaration[];
  /** JSON Schema of the args, for listings and the UI. */
  argsSchema: unknown;
}

export type ActionEntry =
  /** Runs in-process; sees only its own run's secrets. */
  | (ActionEntryBase & { kind: "builtin"; definition: ActionDefinition })
  /** Runs in a sandboxed child (see sandbox/). */
  | (ActionEntryBase & {
      kind: "custom";
      file: string;
      moduleFile: string;
      exportName: string;
      readablePaths: readonly string[];
    })
  /** Runs its steps through the executor. */
  | (ActionEntryBase & { kind: "template"; file: string; template: TemplateActionBody });

/** A file (or one export in it) that did not load; the built-ins and other files still load. */
export interface RegistryLoadError {
  file: string;
  /** The field path inside the file (`definition.secrets[1].keys`), when the problem has one. */
  field?: string;
  code: string;
  message: string;
}

export interface Registry {
  get(id: string): ActionEntry | undefined;
  /** Sorted by id. */
  list(): readonly ActionEntry[];
  readonly errors: readonly RegistryLoadError[];
}
