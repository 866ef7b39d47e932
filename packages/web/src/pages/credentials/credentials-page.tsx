import { Button, Code, Group, Modal, Stack, Tabs, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Secret, unwrap, type Whoami } from "../../api/client";
import { can } from "../../roles";
import { AwsHelper } from "./aws-helper";
import { Definitions } from "./definitions";
import { History } from "./history";
import { Inventory } from "./inventory";
import { isSecretType } from "./rules";
import { type CreatePrefill, CreateSecretForm, EditSecretForm } from "./secret-form";

type Dialog =
  | { kind: "create"; prefill?: CreatePrefill }
  | { kind: "edit"; secret: Secret; tab: "edit" | "history" }
  | { kind: "delete"; secret: Secret }
  | null;

export function CredentialsPage({ me }: { me: Whoami }) {
  const ws = me.workspace.slug;
  const queryClient = useQueryClient();
  const mobile = useMediaQuery("(max-width: 48em)");
  const [dialog, setDialogState] = useState<Dialog>(null);
  const [tab, setTab] = useState<string | null>("secrets");
  const [notice, setNotice] = useState<string | null>(null);
  // Opening a dialog clears the last notice (it would sit, unreadable, behind the overlay).
  const setDialog = (next: Dialog) => {
    if (next) setNotice(null);
    setDialogState(next);
  };
  const environments = useQuery({
    queryKey: ["environments", ws],
    queryFn: () =>
      unwrap(api.GET("/api/v1/workspaces/{workspace}/environments", { params: { path: { workspace: ws } } })),
  });
  const envNames = [...new Set(["default", ...(environments.data?.items.map((e) => e.environment) ?? [])])];
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["secrets"] });
    void queryClient.invalidateQueries({ queryKey: ["environments"] });
    void queryClient.invalidateQueries({ queryKey: ["definitions"] });
  };
  const remove = useMutation({
    mutationFn: (secret: Secret) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace}/secrets/{id}", {
          params: { path: { workspace: ws, id: secret.id } },
        }),
      ),
    onSuccess: (_data, secret) => {
      setDialog(null);
      setNotice(`Deleted ${secret.name} in ${secret.environment}.`);
      refresh();
    },
  });
  const close = () => setDialog(null);

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          Credentials
        </Title>
        {can(me.role, "write") && <Button onClick={() => setDialog({ kind: "create" })}>Create secret</Button>}
      </Group>
      {notice && (
        <Text role="status" className="coffer-ok">
          {notice}
        </Text>
      )}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="secrets">Secrets</Tabs.Tab>
          <Tabs.Tab value="definitions">Pre-built credentials</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="secrets" pt="sm">
          <Inventory
            me={me}
            environments={envNames}
            actions={{
              onEdit: (secret) => setDialog({ kind: "edit", secret, tab: "edit" }),
              onHistory: (secret) => setDialog({ kind: "edit", secret, tab: "history" }),
              onDelete: (secret) => {
                remove.reset();
                setDialog({ kind: "delete", secret });
              },
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="definitions" pt="sm">
          <Definitions
            me={me}
            onConfigure={(d) =>
              setDialog({
                kind: "create",
                prefill: {
                  name: d.name,
                  type: isSecretType(d.secret_type) ? d.secret_type : "custom",
                  keys: [...d.keys, ...(d.optional_keys ?? [])],
                },
              })
            }
          />
        </Tabs.Panel>
      </Tabs>

      <Modal
        closeButtonProps={{ "aria-label": "Close" }}
        opened={dialog?.kind === "create"}
        onClose={close}
        title="Create secret"
        size="xl"
        fullScreen={mobile}
      >
        {dialog?.kind === "create" && (
          <CreateSecretForm
            prefill={dialog.prefill}
            environments={envNames}
            onCancel={close}
            helper={(name) => (name === "aws" || name === "amazon_s3" ? <AwsHelper workspace={ws} /> : null)}
            onSubmit={async (body) => {
              const created = await unwrap(
                api.POST("/api/v1/workspaces/{workspace}/secrets", { params: { path: { workspace: ws } }, body }),
              );
              setDialog(null);
              setTab("secrets");
              setNotice(`Created ${created.name} in ${created.environment}.`);
              refresh();
            }}
          />
        )}
      </Modal>

      <Modal
        closeButtonProps={{ "aria-label": "Close" }}
        opened={dialog?.kind === "edit"}
        onClose={close}
        title={dialog?.kind === "edit" ? `${dialog.secret.name} in ${dialog.secret.environment}` : ""}
        size="xl"
        fullScreen={mobile}
      >
        {dialog?.kind === "edit" && (
          <Tabs
            value={dialog.tab}
            onChange={(t) => setDialog({ ...dialog, tab: t === "history" ? "history" : "edit" })}
            keepMounted={false}
          >
            <Tabs.List>
              {can(me.role, "write") && <Tabs.Tab value="edit">Edit</Tabs.Tab>}
              <Tabs.Tab value="history">History</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="edit" pt="sm">
              <EditSecretForm
                secret={dialog.secret}
                onCancel={close}
                onSubmit={async (body) => {
                  const updated = await unwrap(
                    api.PATCH("/api/v1/workspaces/{workspace}/secrets/{id}", {
                      params: { path: { workspace: ws, id: dialog.secret.id } },
                      body,
                    }),
                  );
                  setDialog(null);
                  setNotice(`Saved ${updated.name} in ${updated.environment} (version ${updated.version}).`);
                  refresh();
                }}
              />
            </Tabs.Panel>
            <Tabs.Panel value="history" pt="sm">
              <History me={me} secret={dialog.secret} />
            </Tabs.Panel>
          </Tabs>
        )}
      </Modal>

      <Modal
        closeButtonProps={{ "aria-label": "Close" }}
        opened={dialog?.kind === "delete"}
        onClose={close}
        title="Delete secret"
        fullScreen={false}
      >
        {dialog?.kind === "delete" && (
          <Stack>
            <Text>
              Delete <Code>{dialog.secret.name}</Code> in environment <Code>{dialog.secret.environment}</Code>, with all
              its versions? Runs that use it there will fail.
            </Text>
            {remove.error && (
              <Text className="coffer-bad" role="alert">
                {remove.error.message}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close} data-autofocus>
                Cancel
              </Button>
              <Button color="red.9" loading={remove.isPending} onClick={() => remove.mutate(dialog.secret)}>
                Delete {dialog.secret.name} in {dialog.secret.environment}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
