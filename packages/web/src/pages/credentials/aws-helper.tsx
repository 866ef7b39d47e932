import { Alert, Code, Group, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getToken } from "../../session";
import { CopyText } from "./copy";

interface AwsAssumeRole {
  external_id?: string;
  trust_policy?: unknown;
  principal_arn?: string;
}

/**
 * For secrets named `aws` / `amazon_s3`: the workspace's external id and the trust policy to put on
 * the role, from GET /secrets/aws-assume-role when this server has it (the AWS feature).
 */
export function AwsHelper({ workspace }: { workspace: string }) {
  const info = useQuery({
    queryKey: ["aws-assume-role", workspace],
    queryFn: async (): Promise<AwsAssumeRole | null> => {
      const res = await fetch(`/api/v1/workspaces/${encodeURIComponent(workspace)}/secrets/aws-assume-role`, {
        headers: { authorization: `Bearer ${getToken() ?? ""}` },
      });
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`The server answered ${res.status}.`);
      return (await res.json()) as AwsAssumeRole;
    },
    staleTime: 300_000,
  });
  const policy =
    info.data?.trust_policy === undefined
      ? undefined
      : typeof info.data.trust_policy === "string"
        ? info.data.trust_policy
        : JSON.stringify(info.data.trust_policy, null, 2);
  return (
    <Alert color="blue" title="AWS role" role="note">
      <Stack gap={6}>
        <Text size="sm">
          Store <Code>AWS_ROLE_ARN</Code> and Coffer assumes the role before each action runs, with this workspace's
          external id.
        </Text>
        {info.data === null && <Text size="sm">This server does not publish its AWS external id.</Text>}
        {info.data?.external_id && (
          <Group gap={4}>
            <Text size="sm">External id:</Text>
            <Code data-testid="aws-external-id">{info.data.external_id}</Code>
            <CopyText text={info.data.external_id} label="Copy the external id" />
          </Group>
        )}
        {policy && (
          <Stack gap={2}>
            <Group gap={4}>
              <Text size="sm">Trust policy for the role:</Text>
              <CopyText text={policy} label="Copy the trust policy" />
            </Group>
            <Code block data-testid="aws-trust-policy">
              {policy}
            </Code>
          </Stack>
        )}
      </Stack>
    </Alert>
  );
}
