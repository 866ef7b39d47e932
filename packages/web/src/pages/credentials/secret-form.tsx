import {
  ActionIcon,
  Alert,
  Autocomplete,
  Button,
  Code,
  FileButton,
  Group,
  NativeSelect,
  PasswordInput,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { type FormEvent, type ReactNode, useId, useMemo, useState } from "react";
import { ApiError, type CreateSecretBody, type Secret, type UpdateSecretBody } from "../../api/client";
import {
  environmentProblem,
  FIXED_KEYS,
  formatTags,
  isSecretType,
  keyNameProblem,
  parseDotEnv,
  parseTags,
  SECRET_TYPES,
  type SecretType,
  secretNameProblem,
  TYPE_LABELS,
} from "./rules";

interface Row {
  id: number;
  key: string;
  value: string;
  /** A key the stored secret already has (edit): its name is fixed, a blank value keeps it. */
  existing: boolean;
}

export interface CreatePrefill {
  name?: string;
  type?: SecretType;
  keys?: string[];
  environment?: string;
}

type Errors = Record<string, string>;

let nextRowId = 1;
const row = (key = "", existing = false): Row => ({ id: nextRowId++, key, value: "", existing });

function rowsFor(type: SecretType, keys: string[] = []): Row[] {
  if (type !== "custom") return FIXED_KEYS[type].map((k) => row(k.key));
  return keys.length > 0 ? keys.map((k) => row(k)) : [row()];
}

/** Where a server error belongs: a field's id in `Errors`, or "form". */
export function placeServerError(error: ApiError, rows: Row[]): string {
  const d = error.details;
  const byKey = (key: unknown) => (typeof key === "string" ? rows.find((r) => r.key === key) : undefined);
  if (error.code === "invalid_key_name") {
    const r = byKey(d.name) ?? byKey(d.key);
    if (r) return `key:${r.id}`;
  }
  if (error.code === "mtls_key_mismatch") {
    const r = byKey("TLS_PRIVATE_KEY");
    if (r) return `value:${r.id}`;
  }
  const r = byKey(d.key);
  if (r) return error.code === "duplicate_key" ? `key:${r.id}` : `value:${r.id}`;
  if (error.code === "invalid_secret_name" || error.code === "secret_exists") return "name";
  if (error.code === "invalid_environment") return "environment";
  if (/_key$|certificate|ssh/.test(error.code) && rows.length > 0) return `value:${rows[0]!.id}`;
  if (error.code.includes("tag")) return "tags";
  if (error.code.includes("expir") || error.code.includes("date")) return "expires_at";
  return "form";
}

function PemField({
  label,
  value,
  onChange,
  error,
  placeholder,
  upload,
  description,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  placeholder?: string;
  upload?: boolean;
  description?: string | undefined;
}) {
  return (
    <Stack gap={4}>
      <Textarea
        label={label}
        description={description}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
        placeholder={placeholder}
        autosize
        minRows={4}
        maxRows={10}
        spellCheck={false}
        autoComplete="off"
        classNames={{ input: "coffer-mono" }}
      />
      {upload && (
        <FileButton onChange={(file) => file && void file.text().then(onChange)} accept=".pem,.key,text/plain,*">
          {(props) => (
            <Button {...props} variant="default" size="xs" w="fit-content">
              Upload key file
            </Button>
          )}
        </FileButton>
      )}
    </Stack>
  );
}

/** The values part of the form: key/value rows for custom, PEM areas for the structured types. */
function KeyRows({
  type,
  rows,
  setRows,
  errors,
  editing,
}: {
  type: SecretType;
  rows: Row[];
  setRows: (update: (rows: Row[]) => Row[]) => void;
  errors: Errors;
  editing: boolean;
}) {
  const [dotenv, setDotenv] = useState("");
  const [dotenvOpen, setDotenvOpen] = useState(false);
  const dotenvId = useId();
  const keep = editing ? "Leave blank to keep the stored value" : undefined;
  const update = (id: number, patch: Partial<Row>) =>
    setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  if (type !== "custom") {
    return (
      <Stack gap="sm">
        {FIXED_KEYS[type].map((fixed) => {
          const r = rows.find((x) => x.key === fixed.key);
          if (!r) return null;
          return (
            <PemField
              key={fixed.key}
              label={`${fixed.label} — ${fixed.key}`}
              value={r.value}
              onChange={(value) => update(r.id, { value })}
              error={errors[`value:${r.id}`]}
              placeholder={editing ? "Leave blank to keep" : fixed.placeholder}
              upload={type === "ssh_key"}
              description={keep}
            />
          );
        })}
      </Stack>
    );
  }
  return (
    <Stack gap="xs">
      <Text fw={500} size="sm" id="keys-label">
        Keys
      </Text>
      {editing && (
        <Text size="xs" c="dimmed">
          Values start empty: leave one blank to keep what is stored.
        </Text>
      )}
      {rows.map((r, i) => (
        <Group key={r.id} align="flex-start" gap="xs" wrap="nowrap">
          <TextInput
            label={`Key ${i + 1} name`}
            value={r.key}
            readOnly={r.existing}
            onChange={(e) => update(r.id, { key: e.currentTarget.value })}
            error={errors[`key:${r.id}`]}
            style={{ flex: 1 }}
            spellCheck={false}
            autoComplete="off"
            classNames={{ input: "coffer-mono" }}
          />
          <PasswordInput
            label={`Key ${i + 1} value`}
            value={r.value}
            placeholder={r.existing ? "Leave blank to keep" : undefined}
            onChange={(e) => update(r.id, { value: e.currentTarget.value })}
            error={errors[`value:${r.id}`]}
            style={{ flex: 1.4 }}
            autoComplete="new-password"
            visibilityToggleButtonProps={{ "aria-label": `Show value of key ${i + 1}` }}
          />
          <ActionIcon
            mt={26}
            variant="subtle"
            color="red"
            size="lg"
            aria-label={`Remove key ${r.key || i + 1}`}
            disabled={rows.length === 1}
            onClick={() => setRows((rs) => rs.filter((x) => x.id !== r.id))}
          >
            <span aria-hidden="true">✕</span>
          </ActionIcon>
        </Group>
      ))}
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={() => setRows((rs) => [...rs, row()])}>
          Add key
        </Button>
        <Button
          variant="subtle"
          size="xs"
          onClick={() => setDotenvOpen((o) => !o)}
          aria-expanded={dotenvOpen}
          aria-controls={dotenvId}
        >
          Paste a .env block
        </Button>
      </Group>
      {dotenvOpen && (
        <Stack gap={4} id={dotenvId}>
          <Textarea
            label=".env block"
            description="KEY=value lines; each becomes a key row (an existing row of that name gets the value)."
            value={dotenv}
            onChange={(e) => setDotenv(e.currentTarget.value)}
            autosize
            minRows={3}
            spellCheck={false}
            autoComplete="off"
            classNames={{ input: "coffer-mono" }}
          />
          <Button
            size="xs"
            variant="default"
            w="fit-content"
            onClick={() => {
              const parsed = parseDotEnv(dotenv);
              setRows((rs) => {
                const out = rs.filter((r) => r.key !== "" || r.value !== "");
                for (const { key, value } of parsed) {
                  const found = out.find((r) => r.key === key);
                  if (found) found.value = value;
                  else out.push({ ...row(key), value });
                }
                return out.length > 0 ? out.map((r) => ({ ...r })) : [row()];
              });
              setDotenv("");
              setDotenvOpen(false);
            }}
          >
            Add keys from .env
          </Button>
        </Stack>
      )}
    </Stack>
  );
}

function clientErrors(rows: Row[], type: SecretType, editing: boolean): Errors {
  const errors: Errors = {};
  const seen = new Set<string>();
  for (const r of rows) {
    if (type === "custom") {
      const problem = keyNameProblem(r.key);
      if (problem) errors[`key:${r.id}`] = problem;
      else if (seen.has(r.key)) errors[`key:${r.id}`] = `Key ${r.key} is listed twice.`;
      seen.add(r.key);
    }
    if (!editing || !r.existing) {
      if (r.value === "") errors[`value:${r.id}`] = type === "custom" ? "Enter a value." : "Paste the PEM text.";
    }
  }
  return errors;
}

function FormShell({
  onSubmit,
  formError,
  children,
  busy,
  submitLabel,
  onCancel,
}: {
  onSubmit: (e: FormEvent) => void;
  formError: string | undefined;
  children: ReactNode;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <form onSubmit={onSubmit} noValidate aria-label={submitLabel}>
      <Stack gap="sm">
        {children}
        {formError && (
          <Alert color="red" role="alert" title="The server refused this">
            {formError}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Description, tags and expiry: the same fields on the create and the edit form. */
function DetailFields({
  description,
  tags,
  expires,
  errors,
}: {
  description: [string, (value: string) => void];
  tags: [string, (value: string) => void];
  expires: [string, (value: string) => void];
  errors: Errors;
}) {
  return (
    <>
      <TextInput
        label="Description"
        value={description[0]}
        onChange={(e) => description[1](e.currentTarget.value)}
        error={errors.description}
      />
      <Group grow align="flex-start" wrap="wrap">
        <TextInput
          label="Tags"
          description="name=value, separated by commas"
          value={tags[0]}
          onChange={(e) => tags[1](e.currentTarget.value)}
          error={errors.tags}
          miw={200}
        />
        <TextInput
          label="Expires on"
          description="Optional; a badge warns 30 days before"
          type="date"
          value={expires[0]}
          onChange={(e) => expires[1](e.currentTarget.value)}
          error={errors.expires_at}
          miw={200}
        />
      </Group>
    </>
  );
}

export function CreateSecretForm({
  prefill,
  environments,
  onSubmit,
  onCancel,
  helper,
}: {
  prefill?: CreatePrefill | undefined;
  environments: string[];
  onSubmit: (body: CreateSecretBody) => Promise<void>;
  onCancel: () => void;
  /** Extra help shown for some names (the AWS trust policy), given the name typed. */
  helper?: (name: string) => ReactNode;
}) {
  const [name, setName] = useState(prefill?.name ?? "");
  const [nameTouched, setNameTouched] = useState(Boolean(prefill?.name));
  const [type, setType] = useState<SecretType>(prefill?.type ?? "custom");
  const [environment, setEnvironment] = useState(prefill?.environment ?? "default");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [expires, setExpires] = useState("");
  const [rows, setRowsState] = useState<Row[]>(() => rowsFor(prefill?.type ?? "custom", prefill?.keys));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const setRows = (update: (rows: Row[]) => Row[]) => setRowsState((rs) => update(rs));
  const nameProblem = nameTouched ? secretNameProblem(name) : null;
  const envOptions = useMemo(() => [...new Set(["default", ...environments])], [environments]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNameTouched(true);
    const found: Errors = clientErrors(rows, type, false);
    const n = secretNameProblem(name);
    if (n) found.name = n;
    const e = environmentProblem(environment);
    if (e) found.environment = e;
    const t = parseTags(tags);
    if ("problem" in t) found.tags = t.problem;
    setErrors(found);
    if (Object.keys(found).length > 0 || "problem" in t) return;
    setBusy(true);
    try {
      await onSubmit({
        name,
        type,
        environment,
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(Object.keys(t.tags).length > 0 ? { tags: t.tags } : {}),
        ...(expires ? { expires_at: expires } : {}),
        keys: rows.map((r) => ({ key: r.key, value: r.value })),
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setErrors({ [placeServerError(error, rows)]: error.message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <FormShell onSubmit={submit} formError={errors.form} busy={busy} submitLabel="Create secret" onCancel={onCancel}>
      <TextInput
        label="Name"
        description={name ? `Used as ${"${{ SECRETS."}${name}.KEY }}` : "Lowercase letters, digits and underscores"}
        value={name}
        onChange={(e) => {
          setName(e.currentTarget.value);
          setNameTouched(true);
        }}
        error={nameProblem ?? errors.name}
        required
        spellCheck={false}
        autoComplete="off"
        data-autofocus
      />
      <Group grow align="flex-start" wrap="wrap">
        <NativeSelect
          label="Type"
          data={SECRET_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
          value={type}
          onChange={(event) => {
            const value = event.currentTarget.value;
            if (!isSecretType(value)) return;
            setType(value);
            setRowsState(rowsFor(value, value === "custom" ? prefill?.keys : undefined));
            setErrors({});
          }}
          miw={200}
        />
        <Autocomplete
          label="Environment"
          description="Pick one or type a new one"
          data={envOptions}
          value={environment}
          onChange={setEnvironment}
          error={errors.environment ?? (environment !== "default" ? environmentProblem(environment) : null)}
          miw={200}
        />
      </Group>
      <DetailFields
        description={[description, setDescription]}
        tags={[tags, setTags]}
        expires={[expires, setExpires]}
        errors={errors}
      />
      {helper?.(name)}
      <KeyRows type={type} rows={rows} setRows={setRows} errors={errors} editing={false} />
    </FormShell>
  );
}

export function EditSecretForm({
  secret,
  onSubmit,
  onCancel,
}: {
  secret: Secret;
  onSubmit: (body: UpdateSecretBody) => Promise<void>;
  onCancel: () => void;
}) {
  const type: SecretType = isSecretType(secret.type) ? secret.type : "custom";
  const [description, setDescription] = useState(secret.description ?? "");
  const [tags, setTags] = useState(formatTags(secret.tags));
  const [expires, setExpires] = useState(secret.expires_at?.slice(0, 10) ?? "");
  const [rows, setRowsState] = useState<Row[]>(() =>
    type === "custom" ? secret.keys.map((k) => row(k, true)) : FIXED_KEYS[type].map((k) => row(k.key, true)),
  );
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = clientErrors(rows, type, true);
    const t = parseTags(tags);
    if ("problem" in t) found.tags = t.problem;
    setErrors(found);
    if (Object.keys(found).length > 0 || "problem" in t) return;
    setBusy(true);
    try {
      await onSubmit({
        description: description.trim() === "" ? null : description.trim(),
        tags: t.tags,
        expires_at: expires === "" ? null : expires,
        keys: rows.map((r) => ({ key: r.key, value: r.value })),
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setErrors({ [placeServerError(error, rows)]: error.message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <FormShell onSubmit={submit} formError={errors.form} busy={busy} submitLabel="Save changes" onCancel={onCancel}>
      <Text size="sm">
        <Code>{secret.name}</Code> in environment <Code>{secret.environment}</Code> · {TYPE_LABELS[type]} · version{" "}
        {secret.version}
      </Text>
      <DetailFields
        description={[description, setDescription]}
        tags={[tags, setTags]}
        expires={[expires, setExpires]}
        errors={errors}
      />
      <KeyRows type={type} rows={rows} setRows={(u) => setRowsState((rs) => u(rs))} errors={errors} editing />
    </FormShell>
  );
}
