import { errorMessage, isApiError } from "@/api/errors";
import { useExports, useRequestExport, type DataExport } from "@/api/privacy";
import { FormAlert } from "@/components/form-field";
import { ErrorState, Spinner } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/lib/format";

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function ExportRow({ item }: { item: DataExport }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 p-3 text-sm">
      <div>
        <p className="flex items-center gap-2 font-medium">
          Asked {formatDateTime(item.created_at)}
          {item.status === "pending" && <Badge variant="info">Being prepared</Badge>}
          {item.status === "failed" && <Badge variant="destructive">Failed</Badge>}
          {item.status === "ready" && item.expired && <Badge variant="secondary">Expired</Badge>}
          {item.status === "ready" && !item.expired && <Badge variant="success">Ready</Badge>}
        </p>
        {item.status === "ready" && !item.expired && item.expires_at && (
          <p className="text-muted-foreground">
            {item.size_bytes !== null && `${size(item.size_bytes)} · `}
            until {formatDateTime(item.expires_at)}
          </p>
        )}
      </div>
      {item.download_url && !item.expired && (
        <Button asChild size="sm" variant="outline">
          <a href={item.download_url} download>
            Download ZIP
          </a>
        </Button>
      )}
    </li>
  );
}

/** Ask for a copy of my data, follow it while it is built, and download it. */
export function DataExportSection() {
  const exports = useExports();
  const request = useRequestExport();
  const busy = exports.data?.items.some((item) => item.status === "pending") ?? false;
  const refusal =
    request.isError && !isApiError(request.error, "export_in_progress")
      ? errorMessage(request.error)
      : null;

  return (
    <div className="flex flex-col gap-3">
      <FormAlert message={refusal} />
      {(busy || isApiError(request.error, "export_in_progress")) && (
        <p role="status" className="text-sm text-muted-foreground">
          Your export is being prepared; we will also e-mail you a link when it is ready.
        </p>
      )}
      <Button
        variant="outline"
        className="self-start"
        disabled={request.isPending || busy}
        onClick={() => request.mutate()}
      >
        {request.isPending && <Spinner className="size-4" />}
        Export my data
      </Button>
      {exports.isPending ? (
        <Spinner className="size-5" />
      ) : exports.isError ? (
        <ErrorState
          error={exports.error}
          title="Could not load your exports"
          onRetry={() => void exports.refetch()}
        />
      ) : exports.data.items.length > 0 ? (
        <ul aria-label="Your data exports" className="flex flex-col divide-y rounded-lg border">
          {exports.data.items.map((item) => (
            <ExportRow key={item.id} item={item} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}
