import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { useAuditLog, type AuditEntry, type AuditQuery } from "@/api/admin";
import { errorMessage } from "@/api/errors";
import { FormAlert, FormField } from "@/components/form-field";
import { EmptyState, ErrorState, PageLoading, Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/lib/format";

const FILTERS = [
  { key: "action", label: "Action", placeholder: "user.suspend" },
  { key: "target_type", label: "Target type", placeholder: "user" },
  { key: "target_id", label: "Target id", placeholder: "" },
  { key: "actor_id", label: "Admin id", placeholder: "" },
] as const;
type FilterKey = (typeof FILTERS)[number]["key"];

function Change({ label, value }: { label: string; value: Record<string, unknown> | null }) {
  if (!value || Object.keys(value).length === 0) return null;
  return (
    <div className="min-w-0 flex-1">
      <p className="text-xs font-medium text-muted-foreground">{label}</p>
      <pre className="overflow-x-auto rounded-md bg-muted/60 p-2 text-xs">
        {JSON.stringify(value, null, 2)}
      </pre>
    </div>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const changed = Boolean(entry.before ?? entry.after);
  return (
    <li className="flex flex-col gap-1 p-3 text-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <code className="font-semibold">{entry.action}</code>
        <time dateTime={entry.created_at} className="text-xs text-muted-foreground">
          {formatDateTime(entry.created_at)}
        </time>
      </div>
      <p className="text-xs break-all text-muted-foreground">
        {entry.target_type} {entry.target_id} · by {entry.actor_id ?? "the system"}
      </p>
      {entry.reason && <p>{entry.reason}</p>}
      {changed && (
        <details>
          <summary className="cursor-pointer text-xs font-medium text-primary">
            What changed
          </summary>
          <div className="mt-2 flex flex-col gap-2 sm:flex-row">
            <Change label="Before" value={entry.before} />
            <Change label="After" value={entry.after} />
          </div>
        </details>
      )}
    </li>
  );
}

/** Admin: every admin action, newest first, filtered; older ones a page at a time. */
export function Component() {
  const [params, setParams] = useSearchParams();
  const query: AuditQuery = { limit: 25 };
  for (const { key } of FILTERS) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  const log = useAuditLog(query);
  const [draft, setDraft] = useState<Record<FilterKey, string>>({
    action: params.get("action") ?? "",
    target_type: params.get("target_type") ?? "",
    target_id: params.get("target_id") ?? "",
    actor_id: params.get("actor_id") ?? "",
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const { key } of FILTERS) if (draft[key].trim()) next.set(key, draft[key].trim());
    setParams(next);
  };
  const entries = log.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section aria-labelledby="admin-audit" className="flex flex-col gap-4">
      <title>Audit log · Admin · ReelByte</title>
      <h1 id="admin-audit" className="text-2xl font-bold tracking-tight">
        Audit log
      </h1>
      <form
        onSubmit={apply}
        aria-label="Filter the audit log"
        className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-5"
      >
        {FILTERS.map((filter) => (
          <FormField
            key={filter.key}
            label={filter.label}
            placeholder={filter.placeholder}
            value={draft[filter.key]}
            onChange={(event) => setDraft({ ...draft, [filter.key]: event.target.value })}
          />
        ))}
        <Button type="submit" variant="outline">
          Filter
        </Button>
      </form>
      {log.isPending ? (
        <PageLoading label="Loading the audit log" />
      ) : log.isError && entries.length === 0 ? (
        <ErrorState
          error={log.error}
          title="Could not load the audit log"
          onRetry={() => void log.refetch()}
        />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing logged">No admin action matches these filters.</EmptyState>
      ) : (
        <>
          <ul aria-label="Audit log" className="flex flex-col divide-y rounded-xl border">
            {entries.map((entry) => (
              <AuditRow key={entry.id} entry={entry} />
            ))}
          </ul>
          <FormAlert message={log.isFetchNextPageError ? errorMessage(log.error) : null} />
          {log.hasNextPage && (
            <Button
              variant="outline"
              className="self-center"
              disabled={log.isFetchingNextPage}
              onClick={() => void log.fetchNextPage()}
            >
              {log.isFetchingNextPage && <Spinner className="size-4" />}
              Older entries
            </Button>
          )}
        </>
      )}
    </section>
  );
}
Component.displayName = "AdminAuditPage";
