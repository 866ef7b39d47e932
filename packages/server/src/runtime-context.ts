/**
 * The action runtime of one Coffer process, made from the configuration in one place: the
 * sandbox custom actions run in (with `$COFFER_HOME` and the database files hidden) and the
 * registry. The HTTP server, `coffer actions list` and `coffer action run` all open it here.
 */
import { isAbsolute, resolve } from "node:path";
import { type CofferConfig, describeDatabaseUrl } from "@coffer/core";
import {
  type AnyActionDefinition,
  type AwsHostIdentity,
  type AwsHostOptions,
  BUILTIN_ACTIONS,
  closeSqlPools,
  createAmazonS3Actions,
  createAwsAssumeRolePreprocessor,
  createAwsBoto3Actions,
  createAwsHostIdentity,
  createRegistry,
  createSandbox,
  createSqlAction,
  type LoadedRegistry,
  ownDatabaseFromUrl,
  type Sandbox,
  type SecretPreprocessor,
} from "@coffer/runtime";

export interface RuntimeContext {
  registry: LoadedRegistry;
  sandbox: Sandbox;
  /** `runtime.actionTimeoutMs`: how long an action may run unless it says otherwise. */
  actionTimeoutMs: number;
  /**
   * The run path's preprocessors (AWS AssumeRole), one set per process: give them to every
   * executor this process makes, so their caches serve all its runs.
   */
  preprocessors: readonly SecretPreprocessor[];
  /** Coffer's own AWS identity, for `GET …/secrets/aws-assume-role`. */
  awsIdentity: AwsHostIdentity;
  /** Removes the compiled custom-action bundles and closes the SQL action's connection pools. */
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** The built-in actions (default: every one @coffer/runtime ships). */
  builtins?: readonly AnyActionDefinition[];
  /** Where the one start-up warning goes (bubblewrap missing in auto mode). */
  warn?: (message: string) => void;
  /** Coffer's own AWS credentials (tests); absent: the AWS SDK's default chain of this process. */
  awsHostCredentials?: AwsHostOptions["hostCredentials"];
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
  const aws = [
    ...createAwsBoto3Actions({ region: config.aws.region }),
    ...createAmazonS3Actions({
      region: config.aws.region,
      concurrencyLimit: config.aws.s3ConcurrencyLimit,
      maxObjectBytes: config.aws.s3MaxObjectBytes,
    }),
  ];
  const replacements = new Map<string, AnyActionDefinition>([[sql.id, sql], ...aws.map((a) => [a.id, a] as const)]);
  return BUILTIN_ACTIONS.map((action) => replacements.get(action.id) ?? action);
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
  const aws: AwsHostOptions = {
    stsEndpoint: config.aws.stsEndpoint,
    region: config.aws.region,
    ...(options.awsHostCredentials ? { hostCredentials: options.awsHostCredentials } : {}),
  };
  return {
    registry,
    sandbox,
    actionTimeoutMs: config.runtime.actionTimeoutMs,
    preprocessors: [createAwsAssumeRolePreprocessor(aws)],
    awsIdentity: createAwsHostIdentity({
      ...aws,
      accountId: config.aws.accountId,
      principalArn: config.aws.principalArn,
    }),
    close: async () => {
      await registry.close();
      await closeSqlPools();
    },
  };
}
