import { useState, type FormEvent } from "react";
import {
  API_SCOPES,
  useApiKeys,
  useCreateApiKey,
  useRevokeApiKey,
  type ApiKey,
  type ApiKeyCreated,
  type ApiScope,
} from "@/api/developers";
import { errorMessage, isApiError } from "@/api/errors";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { EmptyState, ErrorState, Spinner } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDate, formatDateTime } from "@/lib/format";
import { ChoiceFieldset } from "./choice-fieldset";
import { expiryFromDate, isPlanRefusal, listFieldError } from "./plan";
import { UpgradeNotice } from "./plan-notice";
import { ShownOnceDialog } from "./shown-once-dialog";

const STATUS: Record<ApiKey["status"], { label: string; variant: "secondary" | "outline" }> = {
  active: { label: "Active", variant: "secondary" },
  expired: { label: "Expired", variant: "outline" },
  disabled: { label: "Disabled: no API access on your plan", variant: "outline" },
};

const SCOPE_OPTIONS = API_SCOPES.map((scope) => ({
  value: scope.value,
  label: (
    <>
      {scope.label} <code className="text-xs text-muted-foreground">{scope.value}</code>
    </>
  ),
}));

function scopeLabel(scope: string): string {
  return API_SCOPES.find((item) => item.value === scope)?.label ?? scope;
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const revoke = useRevokeApiKey();
  const [confirming, setConfirming] = useState(false);
  const status = STATUS[apiKey.status];
  return (
    <li className="flex flex-col gap-2 rounded-xl border bg-card p-4 shadow-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{apiKey.name}</span>
        <code className="rounded bg-muted px-1.5 py-0.5 text-xs">{apiKey.prefix}…</code>
        <Badge variant={status.variant}>{status.label}</Badge>
      </div>
      <p className="text-sm text-muted-foreground">{apiKey.scopes.map(scopeLabel).join(" · ")}</p>
      <p className="text-sm text-muted-foreground">
        Created {formatDate(apiKey.created_at)} ·{" "}
        {apiKey.last_used_at
          ? `last used ${formatDateTime(apiKey.last_used_at)}${apiKey.last_used_ip ? ` from ${apiKey.last_used_ip}` : ""}`
          : "never used"}{" "}
        · {apiKey.expires_at ? `expires ${formatDate(apiKey.expires_at)}` : "does not expire"}
      </p>
      <div className="flex flex-wrap gap-2">
        {confirming ? (
          <>
            <Button
              size="sm"
              variant="destructive"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate(apiKey.id, { onSettled: () => setConfirming(false) })}
            >
              {revoke.isPending && <Spinner className="size-3" />}
              Revoke {apiKey.name}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </>
        ) : (
          <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
            Revoke
          </Button>
        )}
      </div>
      {confirming && (
        <p className="text-sm text-muted-foreground">
          Anything using this key stops working at once.
        </p>
      )}
      {revoke.error && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(revoke.error)}
        </p>
      )}
    </li>
  );
}

export function ApiKeyList() {
  const keys = useApiKeys();
  if (keys.isPending)
    return <Skeleton className="h-28" role="status" aria-label="Loading your API keys" />;
  if (keys.isError)
    return (
      <ErrorState
        error={keys.error}
        title="Could not load your API keys"
        onRetry={() => void keys.refetch()}
      />
    );
  if (!keys.data.items.length)
    return (
      <EmptyState title="No API key yet">
        Create a key to let a tool of yours use ReelByte on your behalf.
      </EmptyState>
    );
  return (
    <ul aria-label="Your API keys" className="flex flex-col gap-3">
      {keys.data.items.map((apiKey) => (
        <KeyRow key={apiKey.id} apiKey={apiKey} />
      ))}
    </ul>
  );
}

export function CreateApiKeyForm() {
  const create = useCreateApiKey();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiScope[]>([]);
  const [expires, setExpires] = useState("");
  const [missing, setMissing] = useState<string | null>(null);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const fields = isApiError(create.error) ? create.error.fieldErrors : {};
  const scopesError =
    missing === "scopes" ? "Choose at least one scope." : listFieldError(fields, "scopes");

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setMissing("name");
    if (!scopes.length) return setMissing("scopes");
    setMissing(null);
    create.mutate(
      { name: name.trim(), scopes, expires_at: expiryFromDate(expires) },
      {
        onSuccess: (result) => {
          setCreated(result);
          setName("");
          setScopes([]);
          setExpires("");
        },
      },
    );
  }

  const planRefusal = isPlanRefusal(create.error);
  const general =
    create.isError && !planRefusal && !Object.keys(fields).length
      ? errorMessage(create.error)
      : null;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <form
        noValidate
        onSubmit={submit}
        className="flex flex-col gap-4"
        aria-label="Create an API key"
      >
        {planRefusal && <UpgradeNotice message={errorMessage(create.error)} />}
        <FormAlert message={general} />
        <FormField
          label="Name"
          placeholder="e.g. Publishing script"
          maxLength={100}
          required
          value={name}
          error={missing === "name" ? "Give the key a name." : fields.name}
          hint="To tell your keys apart."
          onChange={(event) => setName(event.target.value)}
        />
        <ChoiceFieldset
          legend="Scopes"
          options={SCOPE_OPTIONS}
          chosen={scopes}
          onChange={setScopes}
          error={scopesError}
        />
        <FormField
          label="Expires on (optional)"
          type="date"
          min={today}
          value={expires}
          error={fields.expires_at}
          hint="Leave empty for a key that does not expire."
          onChange={(event) => setExpires(event.target.value)}
        />
        <SubmitButton busy={create.isPending} className="self-start">
          Create key
        </SubmitButton>
      </form>
      <ShownOnceDialog
        title={created ? `Your API key “${created.name}”` : "Your API key"}
        label="API key"
        value={created?.key ?? null}
        onClose={() => setCreated(null)}
      >
        <p className="text-sm">
          Send it as <code>Authorization: Bearer &lt;key&gt;</code> or{" "}
          <code>X-API-Key: &lt;key&gt;</code>.
        </p>
      </ShownOnceDialog>
    </>
  );
}
