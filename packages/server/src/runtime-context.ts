/**
 * The action runtime of one Coffer process, made from the configuration in one place: the
 * sandbox custom actions run in (with `$COFFER_HOME` and the database files hidden) and the
 * registry. The HTTP server, `coffer actions list` and `coffer action run` all open it here.
 */
import { isAbsolute, resolve } from "node:path";
import { type CofferConfig, describeDatabaseUrl } from "@coffer/core";
import {
  type AnyActionDefinition,
  BUILTIN_ACTIONS,
  closeSqlPools,
  createRegistry,
  createSandbox,
  createSqlAction,
  type LoadedRegistry,
  ownDatabaseFromUrl,
  type Sandbox,
} from "@coffer/runtime";

export interface RuntimeContext {
  registry: LoadedRegistry;
  sandbox: Sandbox;
  /** `runtime.actionTimeoutMs`: how long an action may run unless it says otherwise. */
  actionTimeoutMs: number;
  /** Removes the compiled custom-action bundles and closes the SQL action's connection pools. */
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** The built-in actions (default: every one @coffer/runtime ships). */
  builtins?: readonly AnyActionDefinition[];
  /** Where the one start-up warning goes (bubblewrap missing in auto mode). */
  warn?: (message: string) => void;
}

/** The SQLite files a custom action must not see (none for PostgreSQL). */
export function databaseFiles(config: CofferConfig): string[] {
  const described = describeDatabaseUrl(config.store.databaseUrl);
  if (!described.startsWith("sqlite:")) return [];
  const target = described.slice("sqlite:".length);
  if (target === "" || target === ":memory:") return [];
  const file = isAbsolute(target) ? target : resolve(target);
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * The built-ins, with the SQL action told where Coffer's own store is (URLs reaching it are
 * refused) and which folder SQLite files may be opened in.
 */
export function configuredBuiltins(config: CofferConfig): readonly AnyActionDefinition[] {
  const sql = createSqlAction({
    ownDatabase: ownDatabaseFromUrl(config.store.databaseUrl),
    protectedPaths: [config.home],
    ...(config.runtime.sqlSqliteDir ? { sqliteDir: config.runtime.sqlSqliteDir } : {}),
  });
  return BUILTIN_ACTIONS.map((action) => (action.id === sql.id ? sql : action));
}

export async function openRuntime(config: CofferConfig, options: OpenRuntimeOptions = {}): Promise<RuntimeContext> {
  const logger = options.warn ? { warn: options.warn } : undefined;
  const hiddenFiles = databaseFiles(config);
  const sandbox = await createSandbox({
    mode: config.runtime.sandbox,
    hiddenDirectories: [config.home],
    hiddenFiles,
    ...(logger ? { logger } : {}),
  });
  const registry = await createRegistry({
    builtins: options.builtins ?? configuredBuiltins(config),
    paths: config.runtime.registryPaths,
    sandbox,
    home: config.home,
    protectedFiles: hiddenFiles,
    ...(logger ? { logger } : {}),
  });
  return {
    registry,
    sandbox,
    actionTimeoutMs: config.runtime.actionTimeoutMs,
    close: async () => {
      await registry.close();
      await closeSqlPools();
    },
  };
}
