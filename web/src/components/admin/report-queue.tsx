import { useState } from "react";
import { useSearchParams } from "react-router";
import {
  useReports,
  useResolveReport,
  type ReportAction,
  type ReportItem,
  type ReportStatus,
  type ReportTarget,
} from "@/api/admin";
import { errorMessage } from "@/api/errors";
import { ReportPreview } from "@/components/admin/report-preview";
import { FormAlert, SelectField, TextareaField } from "@/components/form-field";
import { Pager } from "@/components/pager";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDateTime, plural } from "@/lib/format";

const STATUSES: { value: ReportStatus; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
  { value: "dismissed", label: "Dismissed" },
];
const TARGETS: { value: ReportTarget; label: string }[] = [
  { value: "message", label: "Messages" },
  { value: "review", label: "Reviews" },
  { value: "gig", label: "Gigs" },
  { value: "project", label: "Projects" },
  { value: "user", label: "Profiles" },
];
const ACTION_LABELS: Record<ReportAction, string> = {
  dismiss: "Dismiss",
  warn: "Warn the author",
  hide_content: "Hide the content",
  suspend_user: "Suspend the author",
};
/** The note sent when the moderator writes none; a warning and a suspension need their own
 * (the author reads it). */
const DEFAULT_NOTES: Partial<Record<ReportAction, string>> = {
  dismiss: "No breach of the rules found.",
  hide_content: "Hidden: it breaks the community rules.",
};

function ReportCard({ report }: { report: ReportItem }) {
  const resolve = useResolveReport();
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | undefined>();
  const open = report.status === "open";

  const act = (action: ReportAction) => {
    const text = note.trim() || DEFAULT_NOTES[action];
    if (!text) {
      setNoteError(
        action === "warn"
          ? "Write the warning: the author receives it."
          : "Write the reason: the author sees it when they are logged out.",
      );
      return;
    }
    setNoteError(undefined);
    resolve.mutate({ reportId: report.id, action, note: text });
  };

  return (
    <li
      className="flex flex-col gap-3 rounded-xl border p-4"
      aria-label={`Report on a ${report.target_type} by @${report.reporter.username}`}
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge variant="outline">{report.target_type}</Badge>
        <span className="text-muted-foreground">
          Reported by @{report.reporter.username} on {formatDateTime(report.created_at)}
        </span>
        {report.open_reports_on_target > 1 && (
          <Badge variant="warning">
            {plural(report.open_reports_on_target, "open report")} on it
          </Badge>
        )}
      </div>
      <p className="text-sm">
        <span className="font-medium">Reason: </span>
        {report.reason}
      </p>
      <ReportPreview report={report} />
      {open ? (
        <div className="flex flex-col gap-3">
          <TextareaField
            label="Note"
            hint="Sent with a warning; the reason of a suspension. Optional to dismiss or hide."
            rows={2}
            maxLength={2000}
            value={note}
            error={noteError}
            onChange={(event) => setNote(event.target.value)}
          />
          <FormAlert message={resolve.isError ? errorMessage(resolve.error) : null} />
          <div className="flex flex-wrap gap-2" role="group" aria-label="Settle this report">
            {(Object.keys(ACTION_LABELS) as ReportAction[]).map((action) => (
              <Button
                key={action}
                size="sm"
                variant={action === "suspend_user" ? "destructive" : "outline"}
                disabled={resolve.isPending || (!report.target_exists && action !== "dismiss")}
                onClick={() => act(action)}
              >
                {ACTION_LABELS[action]}
              </Button>
            ))}
          </div>
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">
          {report.resolution_action ? ACTION_LABELS[report.resolution_action] : "Settled"}
          {report.resolved_at && ` on ${formatDateTime(report.resolved_at)}`}
          {report.resolution_note && `: ${report.resolution_note}`}
        </p>
      )}
    </li>
  );
}

/** The report queue, oldest first: open reports by default, or the settled ones. `target`
 * fixes the kind of content (the reviews page); otherwise it is a filter. */
export function ReportQueue({ target, label }: { target?: ReportTarget; label: string }) {
  const [params, setParams] = useSearchParams();
  const status = STATUSES.find((s) => s.value === params.get("status"))?.value ?? "open";
  const chosen = TARGETS.find((t) => t.value === params.get("type"))?.value;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const reports = useReports({
    status,
    target_type: target ?? chosen ?? null,
    page,
    page_size: 10,
  });
  const set = (key: string, value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      if (key !== "page") next.delete("page");
      return next;
    });

  return (
    <div className="flex flex-col gap-4">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:max-w-xl">
        <SelectField
          label="Status"
          value={status}
          onChange={(event) =>
            set("status", event.target.value === "open" ? null : event.target.value)
          }
        >
          {STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
        {!target && (
          <SelectField
            label="Content"
            value={chosen ?? ""}
            onChange={(event) => set("type", event.target.value || null)}
          >
            <option value="">Everything</option>
            {TARGETS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      {reports.isPending ? (
        <PageLoading label="Loading reports" />
      ) : reports.isError ? (
        <ErrorState
          error={reports.error}
          title="Could not load the reports"
          onRetry={() => void reports.refetch()}
        />
      ) : reports.data.items.length === 0 ? (
        <EmptyState title={status === "open" ? "Nothing to review" : "No reports here"}>
          {status === "open" ? "Every report has been settled." : "Try another filter."}
        </EmptyState>
      ) : (
        <>
          <ul aria-label={label} className="flex flex-col gap-3">
            {reports.data.items.map((report) => (
              <ReportCard key={report.id} report={report} />
            ))}
          </ul>
          <Pager
            label={`${label} pages`}
            page={page}
            totalPages={reports.data.total_pages}
            onPage={(next) => set("page", String(next))}
          />
        </>
      )}
    </div>
  );
}
