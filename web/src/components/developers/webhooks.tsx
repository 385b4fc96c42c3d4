import { useState, type FormEvent } from "react";
import {
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  useDeliveries,
  useRedeliver,
  useSendTestEvent,
  useUpdateWebhookEndpoint,
  useWebhookEndpoints,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointUpdate,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from "@/api/developers";
import { errorMessage, isApiError } from "@/api/errors";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { EmptyState, ErrorState, Spinner } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime } from "@/lib/format";
import { ChoiceFieldset } from "./choice-fieldset";
import { isPlanRefusal, listFieldError } from "./plan";
import { RotateSecret } from "./rotate-secret";
import { UpgradeNotice } from "./plan-notice";
import { ShownOnceDialog } from "./shown-once-dialog";

const EVENT_OPTIONS = WEBHOOK_EVENTS.map((name) => ({
  value: name,
  label: <code className="text-xs">{name}</code>,
}));

const DELIVERY_STATUS: Record<
  WebhookDelivery["status"],
  { label: string; variant: "secondary" | "outline" | "destructive" }
> = {
  pending: { label: "Pending", variant: "outline" },
  succeeded: { label: "Succeeded", variant: "secondary" },
  failed: { label: "Failed", variant: "destructive" },
};

function DeliveryRow({ delivery }: { delivery: WebhookDelivery }) {
  const redeliver = useRedeliver();
  const status = DELIVERY_STATUS[delivery.status];
  return (
    <tr className="border-t align-top">
      <td className="py-2 pr-3">
        <code className="text-xs">{delivery.event_type}</code>
        <div className="text-xs text-muted-foreground">{formatDateTime(delivery.created_at)}</div>
      </td>
      <td className="py-2 pr-3">
        <Badge variant={status.variant}>{status.label}</Badge>
        {delivery.last_error && (
          <div className="mt-1 text-xs text-muted-foreground">{delivery.last_error}</div>
        )}
      </td>
      <td className="py-2 pr-3 tabular-nums">{delivery.attempt_count}</td>
      <td className="py-2 pr-3 tabular-nums">{delivery.last_status_code ?? "—"}</td>
      <td className="py-2 pr-3 tabular-nums">
        {delivery.last_latency_ms != null ? `${delivery.last_latency_ms} ms` : "—"}
      </td>
      <td className="py-2">
        {delivery.status !== "pending" && (
          <Button
            size="sm"
            variant="outline"
            disabled={redeliver.isPending}
            aria-label={`Redeliver ${delivery.event_type} of ${formatDateTime(delivery.created_at)}`}
            onClick={() => redeliver.mutate(delivery.id)}
          >
            {redeliver.isPending && <Spinner className="size-3" />}
            Redeliver
          </Button>
        )}
        {redeliver.error && (
          <p role="alert" className="mt-1 text-xs text-destructive">
            {errorMessage(redeliver.error)}
          </p>
        )}
      </td>
    </tr>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const deliveries = useDeliveries(endpoint.id);
  if (deliveries.isPending)
    return <Skeleton className="h-20" role="status" aria-label="Loading the deliveries" />;
  if (deliveries.isError)
    return (
      <ErrorState
        error={deliveries.error}
        title="Could not load the deliveries"
        onRetry={() => void deliveries.refetch()}
      />
    );
  if (!deliveries.data.items.length)
    return (
      <p className="text-sm text-muted-foreground">
        No delivery yet: send a test event to try the endpoint.
      </p>
    );
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Deliveries to {endpoint.url}</caption>
        <thead className="text-xs text-muted-foreground">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">
              Event
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Status
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Attempts
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Response
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Latency
            </th>
            <th scope="col" className="py-1 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data.items.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The changed fields only: the API changes what is sent and leaves the rest. */
function changesTo(
  endpoint: WebhookEndpoint,
  draft: { url: string; description: string; events: WebhookEventType[]; enabled: boolean },
): WebhookEndpointUpdate {
  const changes: WebhookEndpointUpdate = {};
  if (draft.url !== endpoint.url) changes.url = draft.url;
  if (draft.description !== (endpoint.description ?? ""))
    changes.description = draft.description || null;
  const sameEvents =
    draft.events.length === endpoint.events.length &&
    draft.events.every((name) => endpoint.events.includes(name));
  if (!sameEvents) changes.events = draft.events;
  if (draft.enabled !== endpoint.is_active) changes.is_active = draft.enabled;
  return changes;
}

/** The endpoint's URL, description, events and whether it is enabled, changed in place. */
/** The URL, description and events of an endpoint, as both the add and the edit form ask
 * them; `error` is the add or edit request's failure, shown on the URL unless a field owns it. */
function EndpointFields({
  missing,
  error,
  url,
  onUrl,
  urlHint,
  description,
  onDescription,
  events,
  onEvents,
}: {
  missing: "url" | "events" | null;
  error: unknown;
  url: string;
  onUrl: (url: string) => void;
  urlHint?: string;
  description: string;
  onDescription: (description: string) => void;
  events: WebhookEventType[];
  onEvents: (events: WebhookEventType[]) => void;
}) {
  const fields = isApiError(error) ? error.fieldErrors : {};
  const urlError =
    missing === "url"
      ? "Enter the URL to call."
      : (fields.url ??
        (isApiError(error) && !isPlanRefusal(error) && !Object.keys(fields).length
          ? errorMessage(error)
          : undefined));
  return (
    <>
      <FormField
        label="Endpoint URL"
        type="url"
        inputMode="url"
        placeholder={urlHint ? "https://hooks.example.com/reelbyte" : undefined}
        required
        value={url}
        error={urlError}
        hint={urlHint}
        onChange={(event) => onUrl(event.target.value)}
      />
      <FormField
        label="Description (optional)"
        maxLength={200}
        value={description}
        error={fields.description}
        onChange={(event) => onDescription(event.target.value)}
      />
      <ChoiceFieldset
        legend="Events"
        options={EVENT_OPTIONS}
        chosen={events}
        onChange={onEvents}
        error={
          missing === "events" ? "Choose at least one event." : listFieldError(fields, "events")
        }
        className="grid sm:grid-cols-2"
      />
    </>
  );
}

function EditEndpointForm({ endpoint, onDone }: { endpoint: WebhookEndpoint; onDone: () => void }) {
  const update = useUpdateWebhookEndpoint();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description ?? "");
  const [events, setEvents] = useState(
    endpoint.events.filter((name): name is WebhookEventType =>
      WEBHOOK_EVENTS.includes(name as WebhookEventType),
    ),
  );
  const [enabled, setEnabled] = useState(endpoint.is_active);
  const [missing, setMissing] = useState<"url" | "events" | null>(null);
  const planRefusal = isPlanRefusal(update.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!url.trim()) return setMissing("url");
    if (!events.length) return setMissing("events");
    setMissing(null);
    const changes = changesTo(endpoint, {
      url: url.trim(),
      description: description.trim(),
      events,
      enabled,
    });
    if (!Object.keys(changes).length) return onDone();
    update.mutate({ id: endpoint.id, changes }, { onSuccess: onDone });
  }

  return (
    <form
      noValidate
      onSubmit={submit}
      aria-label={`Edit ${endpoint.url}`}
      className="flex flex-col gap-4 rounded-md border p-4"
    >
      {planRefusal && <UpgradeNotice message={errorMessage(update.error)} />}
      <FormAlert
        message={update.isError && !isApiError(update.error) ? errorMessage(update.error) : null}
      />
      <EndpointFields
        missing={missing}
        error={update.error}
        url={url}
        onUrl={setUrl}
        description={description}
        onDescription={setDescription}
        events={events}
        onEvents={setEvents}
      />
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="size-4 accent-primary"
          checked={enabled}
          onChange={(event) => setEnabled(event.target.checked)}
        />
        Enabled: deliver events to this endpoint
      </label>
      <div className="flex flex-wrap gap-2">
        <SubmitButton busy={update.isPending}>Save changes</SubmitButton>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function EndpointRow({ endpoint }: { endpoint: WebhookEndpoint }) {
  const setActive = useUpdateWebhookEndpoint();
  const remove = useDeleteWebhookEndpoint();
  const test = useSendTestEvent();
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const failed = setActive.error ?? remove.error ?? test.error;
  const logId = `deliveries-${endpoint.id}`;
  return (
    <li className="flex flex-col gap-3 rounded-xl border bg-card p-4 shadow-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium break-all">{endpoint.url}</span>
        <Badge variant={endpoint.is_active ? "secondary" : "outline"}>
          {endpoint.is_active ? "Enabled" : "Disabled"}
        </Badge>
      </div>
      {endpoint.description && <p className="text-sm">{endpoint.description}</p>}
      <p className="text-sm text-muted-foreground">{endpoint.events.join(" · ")}</p>
      {endpoint.disabled_reason && (
        <p className="text-sm text-amber-900">Disabled: {endpoint.disabled_reason}</p>
      )}
      {editing ? (
        <EditEndpointForm endpoint={endpoint} onDone={() => setEditing(false)} />
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button
            size="sm"
            variant="outline"
            disabled={setActive.isPending}
            onClick={() =>
              setActive.mutate({ id: endpoint.id, changes: { is_active: !endpoint.is_active } })
            }
          >
            {setActive.isPending && <Spinner className="size-3" />}
            {endpoint.is_active ? "Disable" : "Enable"}
          </Button>
          <Button size="sm" variant="outline" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button
            size="sm"
            variant="outline"
            disabled={test.isPending}
            onClick={() => test.mutate(endpoint.id, { onSuccess: () => setShowLog(true) })}
          >
            {test.isPending && <Spinner className="size-3" />}
            Send a test event
          </Button>
          <Button
            size="sm"
            variant="ghost"
            aria-expanded={showLog}
            aria-controls={logId}
            onClick={() => setShowLog((shown) => !shown)}
          >
            {showLog ? "Hide deliveries" : "Show deliveries"}
          </Button>
          <RotateSecret endpoint={endpoint} />
          {confirming ? (
            <>
              <Button
                size="sm"
                variant="destructive"
                disabled={remove.isPending}
                onClick={() =>
                  remove.mutate(endpoint.id, { onSettled: () => setConfirming(false) })
                }
              >
                {remove.isPending && <Spinner className="size-3" />}
                Delete endpoint and its log
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
            </>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          )}
        </div>
      )}
      {failed && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(failed)}
        </p>
      )}
      {showLog && (
        <div id={logId}>
          <DeliveryLog endpoint={endpoint} />
        </div>
      )}
    </li>
  );
}

export function WebhookEndpointList() {
  const endpoints = useWebhookEndpoints();
  if (endpoints.isPending)
    return <Skeleton className="h-28" role="status" aria-label="Loading your webhook endpoints" />;
  if (endpoints.isError) {
    if (isPlanRefusal(endpoints.error))
      return <UpgradeNotice message={errorMessage(endpoints.error)} />;
    return (
      <ErrorState
        error={endpoints.error}
        title="Could not load your webhook endpoints"
        onRetry={() => void endpoints.refetch()}
      />
    );
  }
  if (!endpoints.data.items.length)
    return (
      <EmptyState title="No webhook endpoint yet">
        Register a URL and ReelByte will POST the events you choose to it, signed.
      </EmptyState>
    );
  return (
    <ul aria-label="Your webhook endpoints" className="flex flex-col gap-3">
      {endpoints.data.items.map((endpoint) => (
        <EndpointRow key={endpoint.id} endpoint={endpoint} />
      ))}
    </ul>
  );
}

export function CreateEndpointForm() {
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const [missing, setMissing] = useState<"url" | "events" | null>(null);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!url.trim()) return setMissing("url");
    if (!events.length) return setMissing("events");
    setMissing(null);
    create.mutate(
      { url: url.trim(), events, description: description.trim() || null },
      {
        onSuccess: (result) => {
          setCreated(result);
          setUrl("");
          setDescription("");
          setEvents([]);
        },
      },
    );
  }

  const planRefusal = isPlanRefusal(create.error);
  return (
    <>
      <form
        noValidate
        onSubmit={submit}
        className="flex flex-col gap-4"
        aria-label="Add a webhook endpoint"
      >
        {planRefusal && <UpgradeNotice message={errorMessage(create.error)} />}
        <FormAlert
          message={create.isError && !isApiError(create.error) ? errorMessage(create.error) : null}
        />
        <EndpointFields
          missing={missing}
          error={create.error}
          url={url}
          onUrl={setUrl}
          urlHint="Public HTTPS address: ReelByte POSTs the events there."
          description={description}
          onDescription={setDescription}
          events={events}
          onEvents={setEvents}
        />
        <SubmitButton busy={create.isPending} className="self-start">
          Add endpoint
        </SubmitButton>
      </form>
      <ShownOnceDialog
        title="Your endpoint's signing secret"
        label="Signing secret"
        value={created?.secret ?? null}
        onClose={() => setCreated(null)}
      >
        <p className="text-sm">
          Check each delivery&apos;s <code>webhook-signature</code> with it (Standard Webhooks) for{" "}
          <span className="break-all">{created?.url}</span>.
        </p>
      </ShownOnceDialog>
    </>
  );
}
