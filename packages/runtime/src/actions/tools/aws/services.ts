/**
 * The AWS services the AWS actions reach, by boto3's service name, each loaded on first use (one
 * dynamic import per service: a CLI command or a server start pays for none of them). Method and
 * paginator names in boto3's snake_case are derived from what the installed client exports
 * (`ListBucketsCommand` → `list_buckets`, `paginateListObjectsV2` → `list_objects_v2`), so the map
 * holds only what the SDK really has.
 */
import { CofferError } from "@coffer/core";
import { quietSdkNodeWarning } from "./sdk-warning.js";

// biome-ignore lint/suspicious/noExplicitAny: an SDK client module's shape is checked at run time
type SdkModule = Record<string, any>;

/** An SDK client: `send(command, {abortSignal})`, `destroy()`. */
export interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  destroy(): void;
}
type SdkClientClass = new (config: Record<string, unknown>) => SdkClient;

interface ServiceEntry {
  /** The npm package (each client has its own version). */
  packageName: string;
  clientName: string;
  load: () => Promise<SdkModule>;
}

/** boto3 service name → AWS SDK v3 client. Sorted; literal imports so each stays its own lazy chunk. */
export const AWS_SERVICES: Readonly<Record<string, ServiceEntry>> = Object.freeze({
  accessanalyzer: {
    packageName: "@aws-sdk/client-accessanalyzer",
    clientName: "AccessAnalyzerClient",
    load: () => import("@aws-sdk/client-accessanalyzer"),
  },
  cloudtrail: {
    packageName: "@aws-sdk/client-cloudtrail",
    clientName: "CloudTrailClient",
    load: () => import("@aws-sdk/client-cloudtrail"),
  },
  config: {
    packageName: "@aws-sdk/client-config-service",
    clientName: "ConfigServiceClient",
    load: () => import("@aws-sdk/client-config-service"),
  },
  dynamodb: {
    packageName: "@aws-sdk/client-dynamodb",
    clientName: "DynamoDBClient",
    load: () => import("@aws-sdk/client-dynamodb"),
  },
  ec2: { packageName: "@aws-sdk/client-ec2", clientName: "EC2Client", load: () => import("@aws-sdk/client-ec2") },
  guardduty: {
    packageName: "@aws-sdk/client-guardduty",
    clientName: "GuardDutyClient",
    load: () => import("@aws-sdk/client-guardduty"),
  },
  iam: { packageName: "@aws-sdk/client-iam", clientName: "IAMClient", load: () => import("@aws-sdk/client-iam") },
  inspector2: {
    packageName: "@aws-sdk/client-inspector2",
    clientName: "Inspector2Client",
    load: () => import("@aws-sdk/client-inspector2"),
  },
  kms: { packageName: "@aws-sdk/client-kms", clientName: "KMSClient", load: () => import("@aws-sdk/client-kms") },
  lambda: {
    packageName: "@aws-sdk/client-lambda",
    clientName: "LambdaClient",
    load: () => import("@aws-sdk/client-lambda"),
  },
  logs: {
    packageName: "@aws-sdk/client-cloudwatch-logs",
    clientName: "CloudWatchLogsClient",
    load: () => import("@aws-sdk/client-cloudwatch-logs"),
  },
  organizations: {
    packageName: "@aws-sdk/client-organizations",
    clientName: "OrganizationsClient",
    load: () => import("@aws-sdk/client-organizations"),
  },
  s3: { packageName: "@aws-sdk/client-s3", clientName: "S3Client", load: () => import("@aws-sdk/client-s3") },
  secretsmanager: {
    packageName: "@aws-sdk/client-secrets-manager",
    clientName: "SecretsManagerClient",
    load: () => import("@aws-sdk/client-secrets-manager"),
  },
  securityhub: {
    packageName: "@aws-sdk/client-securityhub",
    clientName: "SecurityHubClient",
    load: () => import("@aws-sdk/client-securityhub"),
  },
  sns: { packageName: "@aws-sdk/client-sns", clientName: "SNSClient", load: () => import("@aws-sdk/client-sns") },
  sqs: { packageName: "@aws-sdk/client-sqs", clientName: "SQSClient", load: () => import("@aws-sdk/client-sqs") },
  ssm: { packageName: "@aws-sdk/client-ssm", clientName: "SSMClient", load: () => import("@aws-sdk/client-ssm") },
  sts: { packageName: "@aws-sdk/client-sts", clientName: "STSClient", load: () => import("@aws-sdk/client-sts") },
  wafv2: {
    packageName: "@aws-sdk/client-wafv2",
    clientName: "WAFV2Client",
    load: () => import("@aws-sdk/client-wafv2"),
  },
});

export const SUPPORTED_SERVICES: readonly string[] = Object.freeze(Object.keys(AWS_SERVICES).sort());

/**
 * An AWS operation name in boto3's snake_case: a trailing plural acronym keeps its `s`
 * (`ListWebACLs` → `list_web_acls`), acronyms stay one word (`ListMFADevices` → `list_mfa_devices`),
 * digits stay with what precedes them (`ListObjectsV2` → `list_objects_v2`, `AssignIpv6Addresses`
 * → `assign_ipv6_addresses`).
 */
export function snakeCase(operation: string): string {
  let name = operation;
  const plural = /[A-Z]{2,}s$/.exec(name);
  if (plural) name = `${name.slice(0, -plural[0].length)}_${plural[0].toLowerCase()}`;
  name = name.replace(/(.)([A-Z][a-z]+)/g, "$1_$2");
  name = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2");
  return name.toLowerCase().replace(/_+/g, "_");
}

export interface LoadedService {
  name: string;
  module: SdkModule;
  Client: SdkClientClass;
  /** snake_case method → the Command export. */
  commands: ReadonlyMap<string, string>;
  /** snake_case paginator → the `paginate…` export. */
  paginators: ReadonlyMap<string, string>;
}

const loaded = new Map<string, Promise<LoadedService>>();

export function unsupportedService(service: string): CofferError {
  return new CofferError(
    "aws_unsupported_service",
    `AWS service '${service}' is not supported. Supported services (boto3 names): ${SUPPORTED_SERVICES.join(", ")}.`,
    { details: { service, supported: [...SUPPORTED_SERVICES] } },
  );
}

/** The service's client and its method index; loads the SDK package on first use. */
export function loadService(service: string): Promise<LoadedService> {
  const entry = Object.hasOwn(AWS_SERVICES, service) ? AWS_SERVICES[service] : undefined;
  if (!entry) return Promise.reject(unsupportedService(service));
  let pending = loaded.get(service);
  if (!pending) {
    quietSdkNodeWarning();
    pending = entry.load().then((module) => {
      const commands = new Map<string, string>();
      const paginators = new Map<string, string>();
      for (const exported of Object.keys(module)) {
        if (typeof module[exported] !== "function") continue;
        if (exported.endsWith("Command") && exported !== "Command" && /^[A-Z]/.test(exported)) {
          commands.set(snakeCase(exported.slice(0, -"Command".length)), exported);
        } else if (/^paginate[A-Z]/.test(exported)) {
          paginators.set(snakeCase(exported.slice("paginate".length)), exported);
        }
      }
      const Client = module[entry.clientName];
      if (typeof Client !== "function") throw new Error(`${entry.packageName} exports no ${entry.clientName}`);
      return { name: service, module, Client, commands, paginators };
    });
    pending.catch(() => loaded.delete(service));
    loaded.set(service, pending);
  }
  return pending;
}

/** A boto3 method name (or the operation's own PascalCase name) → the Command export. */
export function resolveCommand(service: LoadedService, method: string): string {
  const found = service.commands.get(method) ?? (service.module[`${method}Command`] ? `${method}Command` : undefined);
  if (found) return found;
  throw unknownName(service, method, "method", [...service.commands.keys()]);
}

/** A boto3 paginator name → the `paginate…` export. */
export function resolvePaginator(service: LoadedService, paginator: string): string {
  const found =
    service.paginators.get(paginator) ?? (service.module[`paginate${paginator}`] ? `paginate${paginator}` : undefined);
  if (found) return found;
  throw unknownName(service, paginator, "paginator", [...service.paginators.keys()]);
}

function unknownName(service: LoadedService, name: string, what: "method" | "paginator", known: string[]) {
  known.sort();
  const wanted = name.toLowerCase();
  const words = new Set(wanted.split("_").filter((w) => w.length > 2));
  const score = (k: string) => {
    let prefix = 0;
    while (prefix < k.length && k[prefix] === wanted[prefix]) prefix++;
    return prefix + 5 * k.split("_").filter((w) => words.has(w)).length;
  };
  const close = known
    .map((k) => ({ k, s: score(k) }))
    .filter((c) => c.s > 4)
    .sort((a, b) => b.s - a.s || (a.k < b.k ? -1 : 1))
    .slice(0, 10)
    .map((c) => c.k);
  const listed = known.length <= 40 ? known : close;
  const hint =
    listed.length > 0
      ? `${known.length <= 40 ? "Supported" : "Close matches"}: ${listed.join(", ")}.`
      : `It has ${known.length} ${what}s; see the AWS API reference for their names.`;
  return new CofferError(
    "aws_unsupported_method",
    `AWS service '${service.name}' has no ${what} '${name}' (use boto3's snake_case name, e.g. list_buckets). ${hint}`,
    { details: { service: service.name, [what]: name, supported: known } },
  );
}
