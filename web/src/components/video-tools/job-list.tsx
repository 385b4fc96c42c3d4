import { useId, useState, type FormEvent } from "react";
import { useOrdersToDeliver, useMyGigs } from "@/api/creator";
import { errorMessage } from "@/api/errors";
import {
  isActive,
  useAttachResult,
  useDeleteJob,
  useResultUrl,
  useVideoJob,
  type VideoJob,
  type VideoJobResult,
} from "@/api/video-tools";
import { useAuth } from "@/auth/auth-context";
import { FormAlert, FormField, SelectField, SubmitButton } from "@/components/form-field";
import { formatDateTime } from "@/components/order/dates";
import { formatPrecise } from "@/components/review/timecode";
import { Spinner } from "@/components/states";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { formatBytes } from "@/lib/upload";

const STATES: Record<VideoJob["state"], { label: string; variant: BadgeProps["variant"] }> = {
  queued: { label: "Queued", variant: "secondary" },
  running: { label: "Running", variant: "info" },
  succeeded: { label: "Done", variant: "success" },
  failed: { label: "Failed", variant: "destructive" },
  cancelled: { label: "Cancelled", variant: "outline" },
};

type Destination = "portfolio" | "gig_gallery" | "deliverable";

/** Keep a clip: attach it to my portfolio, one of my gigs' gallery or an order I deliver. */
function AttachForm({ job, result }: { job: VideoJob; result: VideoJobResult }) {
  const { user } = useAuth();
  const attach = useAttachResult(job.id);
  const [to, setTo] = useState<Destination>("portfolio");
  const [target, setTarget] = useState("");
  const [title, setTitle] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const gigs = useMyGigs(to === "gig_gallery" ? user?.id : undefined);
  const orders = useOrdersToDeliver(to === "deliverable" ? user?.id : undefined);
  const targets =
    to === "gig_gallery"
      ? (gigs.data?.items ?? []).map((gig) => ({ id: gig.id, label: gig.title }))
      : to === "deliverable"
        ? (orders.data?.items ?? []).map((order) => ({ id: order.id, label: order.title }))
        : [];
  const loadingTargets =
    (to === "gig_gallery" && gigs.isPending) || (to === "deliverable" && orders.isPending);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(null);
    if (to !== "portfolio" && !target) {
      setFailure(to === "gig_gallery" ? "Choose a gig." : "Choose an order.");
      return;
    }
    try {
      await attach.mutateAsync({
        index: result.index,
        body: {
          to,
          target_id: to === "portfolio" ? null : target,
          title: title.trim() || null,
        },
      });
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  if (attach.data) {
    const where =
      attach.data.to === "portfolio"
        ? "your portfolio"
        : attach.data.to === "gig_gallery"
          ? "the gig's gallery"
          : "the order's next delivery";
    return (
      <p role="status" className="text-sm">
        {attach.data.state === "failed"
          ? `Could not add it to ${where}: ${attach.data.failure_reason ?? "it was refused"}.`
          : attach.data.state === "attached"
            ? `Added to ${where}.`
            : `Being added to ${where}: the copy is processed first.`}
      </p>
    );
  }

  return (
    <form
      noValidate
      onSubmit={(event) => void submit(event)}
      className="flex flex-col gap-3 rounded-md border p-3"
      aria-label={`Keep clip ${result.index + 1}`}
    >
      <FormAlert message={failure} />
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label="Add it to"
          value={to}
          onChange={(event) => {
            setTo(event.target.value as Destination);
            setTarget("");
          }}
        >
          <option value="portfolio">My portfolio</option>
          <option value="gig_gallery">A gig’s gallery</option>
          <option value="deliverable">An order I deliver</option>
        </SelectField>
        {to !== "portfolio" && (
          <SelectField
            label={to === "gig_gallery" ? "Gig" : "Order"}
            value={target}
            disabled={loadingTargets}
            hint={
              !loadingTargets && targets.length === 0
                ? to === "gig_gallery"
                  ? "You have no gigs yet."
                  : "No order is waiting for your delivery."
                : undefined
            }
            onChange={(event) => setTarget(event.target.value)}
          >
            <option value="">{loadingTargets ? "Loading…" : "Choose…"}</option>
            {targets.map((item) => (
              <option key={item.id} value={item.id}>
                {item.label}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <FormField
        label="Title (optional)"
        value={title}
        maxLength={200}
        onChange={(event) => setTitle(event.target.value)}
      />
      <SubmitButton size="sm" busy={attach.isPending} className="self-start">
        Keep this clip
      </SubmitButton>
    </form>
  );
}

/** One clip of a finished job: play it, download it, keep it. */
function ResultItem({ job, result }: { job: VideoJob; result: VideoJobResult }) {
  const [playing, setPlaying] = useState(false);
  const [keeping, setKeeping] = useState(false);
  const url = useResultUrl(job.id, result.index, playing);
  const name = job.kind === "trim" ? "Clip" : `Hook ${result.index + 1}`;

  return (
    <li className="flex flex-col gap-2 rounded-lg border p-3">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{name}</span>
          <span className="font-mono text-muted-foreground">
            {formatPrecise(result.start_ms)}–{formatPrecise(result.end_ms)}
          </span>
          <span className="text-muted-foreground">
            {result.width}×{result.height}, {formatBytes(result.size)}
          </span>
          {result.score !== null && (
            <Badge variant="info">Score {Math.round(result.score * 100)}</Badge>
          )}
        </span>
        <span className="flex gap-2">
          <Button size="sm" variant="outline" onClick={() => setPlaying((value) => !value)}>
            {playing ? "Hide" : "Preview"} {name.toLowerCase()}
          </Button>
          <Button size="sm" variant="outline" onClick={() => setKeeping((value) => !value)}>
            Keep…
          </Button>
        </span>
      </div>
      {result.reason && <p className="text-xs text-muted-foreground">{result.reason}</p>}
      {playing &&
        (url.isPending ? (
          <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
            <Spinner className="size-4" /> Loading the clip…
          </p>
        ) : url.isError ? (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(url.error)}
          </p>
        ) : (
          <div className="flex flex-col gap-1">
            <video
              src={url.data.url}
              controls
              autoPlay
              playsInline
              aria-label={`${name} of the job`}
              className={`max-h-96 rounded-md bg-black object-contain ${result.height > result.width ? "aspect-[9/16] self-center" : "w-full"}`}
            />
            <a
              href={url.data.url}
              className="self-start text-sm font-medium text-primary underline-offset-4 hover:underline"
            >
              Download {name.toLowerCase()}
            </a>
          </div>
        ))}
      {keeping && <AttachForm job={job} result={result} />}
    </li>
  );
}

function describe(job: VideoJob, sourceName: string | undefined): string {
  const params = job.params as {
    start_ms?: number;
    end_ms?: number;
    aspect?: string | null;
    count?: number;
  };
  const source = sourceName ?? "a deleted video";
  if (job.kind === "trim") {
    const span =
      params.start_ms !== undefined && params.end_ms !== undefined
        ? ` ${formatPrecise(params.start_ms)}–${formatPrecise(params.end_ms)}`
        : "";
    return `Trim of ${source}${span}${params.aspect ? `, re-framed ${params.aspect}` : ""}`;
  }
  return `Up to ${params.count ?? 3} hooks from ${source}`;
}

/** A job with its live progress (asked again every second and a half while it runs). */
function JobItem({ initial, sourceName }: { initial: VideoJob; sourceName: string | undefined }) {
  const live = useVideoJob(isActive(initial.state) ? initial.id : null);
  const job = live.data ?? initial;
  const remove = useDeleteJob();
  const headingId = useId();
  const active = isActive(job.state);
  const { label, variant } = STATES[job.state];

  return (
    <li
      aria-labelledby={headingId}
      className="flex flex-col gap-3 rounded-xl border p-4"
      data-testid="video-job"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <h3 id={headingId} className="font-medium">
            {describe(job, sourceName)}
          </h3>
          <p className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
            <Badge variant={variant}>{label}</Badge>
            <time dateTime={job.created_at}>{formatDateTime(job.created_at)}</time>
            {job.expires_at && !active && (
              <span>· kept until {formatDateTime(job.expires_at)}</span>
            )}
          </p>
        </div>
        <Button
          size="sm"
          variant="ghost"
          disabled={remove.isPending}
          onClick={() => remove.mutate(job.id)}
        >
          {active ? "Cancel" : "Delete"}
        </Button>
      </div>
      {remove.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(remove.error)}
        </p>
      )}
      {active && (
        <div className="flex items-center gap-3">
          <Progress aria-label={`Progress of the job`} value={job.progress} />
          <span className="w-12 text-right text-sm tabular-nums" aria-hidden="true">
            {Math.round(job.progress)}%
          </span>
        </div>
      )}
      {job.state === "failed" && (
        <p className="text-sm text-destructive">
          {job.failure_reason ?? "The job failed."} The use was given back to your plan.
        </p>
      )}
      {job.state === "succeeded" &&
        (job.results.length === 0 ? (
          <p className="text-sm text-muted-foreground">No clip came out of this video.</p>
        ) : (
          <ul className="flex flex-col gap-2" aria-label="Clips">
            {job.results.map((result) => (
              <ResultItem key={result.index} job={job} result={result} />
            ))}
          </ul>
        ))}
    </li>
  );
}

/** My jobs, newest first. */
export function JobList({
  jobs,
  sourceNames,
}: {
  jobs: VideoJob[];
  sourceNames: Map<string, string>;
}) {
  return (
    <ol className="flex flex-col gap-3" aria-label="My video jobs">
      {jobs.map((job) => (
        <JobItem
          key={job.id}
          initial={job}
          sourceName={job.upload_id ? sourceNames.get(job.upload_id) : undefined}
        />
      ))}
    </ol>
  );
}
