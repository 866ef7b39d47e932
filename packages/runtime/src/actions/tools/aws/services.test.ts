import assert from "node:assert/strict";
import { test } from "node:test";
import { isCofferError } from "@coffer/core";
import { loadService, resolveCommand, resolvePaginator, SUPPORTED_SERVICES, snakeCase } from "./services.js";

/** boto3 method names security teams call, per service; each must resolve to an exported Command. */
const METHODS: Record<string, string[]> = {
  accessanalyzer: ["list_analyzers", "list_findings_v2", "get_finding", "start_resource_scan"],
  cloudtrail: ["lookup_events", "describe_trails", "get_trail_status", "get_event_selectors"],
  config: ["describe_config_rules", "get_compliance_details_by_config_rule", "select_resource_config"],
  dynamodb: ["get_item", "put_item", "query", "scan", "list_tables", "describe_table"],
  ec2: [
    "describe_instances",
    "describe_security_groups",
    "revoke_security_group_ingress",
    "describe_vpcs",
    "create_snapshot",
    "modify_instance_attribute",
    "assign_ipv6_addresses",
    "describe_flow_logs",
  ],
  guardduty: ["list_detectors", "list_findings", "get_findings", "archive_findings", "create_ip_set"],
  iam: [
    "list_users",
    "list_mfa_devices",
    "list_access_keys",
    "update_access_key",
    "list_attached_role_policies",
    "get_account_authorization_details",
    "generate_credential_report",
    "list_saml_providers",
    "list_open_id_connect_providers",
  ],
  inspector2: ["list_findings", "batch_get_account_status", "list_coverage"],
  kms: ["list_keys", "describe_key", "encrypt", "decrypt", "get_key_rotation_status", "disable_key"],
  lambda: ["list_functions", "invoke", "get_function", "update_function_configuration"],
  logs: ["describe_log_groups", "filter_log_events", "start_query", "get_query_results", "put_log_events"],
  organizations: ["list_accounts", "describe_organization", "list_policies", "list_accounts_for_parent"],
  s3: [
    "list_buckets",
    "list_objects_v2",
    "get_object",
    "put_object",
    "copy_object",
    "delete_object",
    "get_bucket_acl",
    "get_bucket_policy",
    "put_public_access_block",
    "get_bucket_encryption",
  ],
  secretsmanager: ["list_secrets", "describe_secret", "rotate_secret", "get_secret_value"],
  securityhub: ["get_findings", "batch_update_findings", "batch_import_findings", "describe_hub"],
  sns: ["publish", "list_topics", "list_subscriptions_by_topic"],
  sqs: ["send_message", "receive_message", "delete_message", "list_queues", "get_queue_url"],
  ssm: ["send_command", "get_parameter", "get_parameters_by_path", "describe_instance_information"],
  sts: ["get_caller_identity", "assume_role", "decode_authorization_message", "get_access_key_info"],
  wafv2: ["list_web_acls", "get_web_acl", "update_ip_set", "list_ip_sets", "get_ip_set"],
};

const PAGINATORS: Record<string, string[]> = {
  s3: ["list_objects_v2", "list_buckets"],
  iam: ["list_users", "list_roles"],
  ec2: ["describe_instances"],
  guardduty: ["list_findings"],
  logs: ["describe_log_groups", "filter_log_events"],
  organizations: ["list_accounts"],
  securityhub: ["get_findings"],
  cloudtrail: ["lookup_events"],
};

test("boto3 snake_case from AWS operation names", () => {
  assert.equal(snakeCase("ListBuckets"), "list_buckets");
  assert.equal(snakeCase("ListObjectsV2"), "list_objects_v2");
  assert.equal(snakeCase("ListMFADevices"), "list_mfa_devices");
  assert.equal(snakeCase("ListWebACLs"), "list_web_acls");
  assert.equal(snakeCase("GetWebACL"), "get_web_acl");
  assert.equal(snakeCase("AssignIpv6Addresses"), "assign_ipv6_addresses");
  assert.equal(snakeCase("DescribeDBInstances"), "describe_db_instances");
  assert.equal(snakeCase("GetCallerIdentity"), "get_caller_identity");
});

test("every listed service loads, and each listed method resolves to a Command its SDK exports", async () => {
  assert.deepEqual([...SUPPORTED_SERVICES].sort(), Object.keys(METHODS).sort(), "the 20 services, all tested");
  assert.equal(SUPPORTED_SERVICES.length, 20);
  for (const service of SUPPORTED_SERVICES) {
    const loaded = await loadService(service);
    assert.ok(loaded.commands.size > 0, `${service} exports commands`);
    for (const method of METHODS[service] ?? []) {
      const exported = resolveCommand(loaded, method);
      assert.equal(typeof loaded.module[exported], "function", `${service}.${method} → ${exported}`);
      assert.ok(exported.endsWith("Command"));
    }
    for (const paginator of PAGINATORS[service] ?? []) {
      const exported = resolvePaginator(loaded, paginator);
      assert.equal(typeof loaded.module[exported], "function", `${service} paginator ${paginator}`);
    }
  }
});

test("unknown services and methods are errors that list what is supported", async () => {
  await assert.rejects(loadService("route53"), (e: unknown) => {
    assert.ok(isCofferError(e));
    assert.equal(e.code, "aws_unsupported_service");
    assert.match(
      e.message,
      /AWS service 'route53' is not supported\. Supported services .*: accessanalyzer, .*, wafv2\./,
    );
    return true;
  });
  const sts = await loadService("sts");
  assert.throws(
    () => resolveCommand(sts, "get_caller"),
    (e: unknown) => {
      assert.ok(isCofferError(e));
      assert.equal(e.code, "aws_unsupported_method");
      assert.match(e.message, /has no method 'get_caller'.*Supported: .*get_caller_identity/);
      return true;
    },
  );
  const ec2 = await loadService("ec2");
  assert.throws(() => resolveCommand(ec2, "describe_instancez"), /Close matches: .*describe_instance/);
  assert.throws(() => resolvePaginator(sts, "assume_role"), /has no paginator 'assume_role'/);
  // The operation's own name is accepted too.
  assert.equal(resolveCommand(sts, "GetCallerIdentity"), "GetCallerIdentityCommand");
});
