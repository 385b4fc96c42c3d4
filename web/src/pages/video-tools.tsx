import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { errorMessage, isApiError } from "@/api/errors";
import { useUpload } from "@/api/uploads";
import {
  isPlanLimit,
  useCreateHooks,
  useCreateTrim,
  useMyVideos,
  useUsage,
  useVideoJobs,
  type Aspect,
  type Crop,
  type UploadOut,
} from "@/api/video-tools";
import { useAuth } from "@/auth/auth-context";
import { FormAlert, FormField, SelectField, SubmitButton } from "@/components/form-field";
import { formatPrecise } from "@/components/review/timecode";
import { ErrorState, PageLoading, Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Uploader } from "@/components/uploader";
import { JobList } from "@/components/video-tools/job-list";
import { PlanLimitPrompt } from "@/components/video-tools/plan-limit";
import { clampRange, type TrimRange } from "@/components/video-tools/trim-model";
import { TrimScrubber } from "@/components/video-tools/trim-scrubber";
import { UsageMeters } from "@/components/video-tools/usage-meters";

const ASPECTS: { value: Aspect | ""; label: string }[] = [
  { value: "", label: "Keep the frame" },
  { value: "9:16", label: "9:16 (Reels, Shorts, TikTok)" },
  { value: "1:1", label: "1:1 (square)" },
  { value: "4:5", label: "4:5 (portrait feed)" },
];

function durationOf(upload: UploadOut): number {
  return Math.round((upload.probe?.duration_seconds ?? 0) * 1000);
}

/** Where the crop of a re-frame sits. */
function CropChoice({
  value,
  onChange,
  disabled,
}: {
  value: Crop;
  onChange: (crop: Crop) => void;
  disabled?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className="flex flex-col gap-1.5" disabled={disabled}>
      <legend className="text-sm font-medium">Crop</legend>
      <div className="flex flex-wrap gap-4 text-sm">
        {(
          [
            ["centre", "Centre"],
            ["subject", "Follow the subject"],
          ] as const
        ).map(([crop, label]) => (
          <label key={crop} className="flex items-center gap-2">
            <input
              type="radio"
              name={name}
              value={crop}
              checked={value === crop}
              onChange={() => onChange(crop)}
              className="size-4 accent-primary"
            />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Cut a part of the source, optionally re-framed. */
function TrimForm({ source }: { source: UploadOut }) {
  const durationMs = durationOf(source);
  const fps = source.probe?.fps;
  const player = useRef<HTMLVideoElement>(null);
  const [range, setRange] = useState<TrimRange>({ startMs: 0, endMs: durationMs });
  const [playheadMs, setPlayheadMs] = useState(0);
  const [aspect, setAspect] = useState<Aspect | "">("");
  const [crop, setCrop] = useState<Crop>("centre");
  const trim = useCreateTrim();
  const usage = useUsage();

  function seek(ms: number) {
    const video = player.current;
    setPlayheadMs(ms);
    if (video) video.currentTime = ms / 1000;
  }

  function change(next: TrimRange, moved: "start" | "end") {
    const clamped = clampRange(next, durationMs, moved, fps);
    setRange(clamped);
    seek(moved === "start" ? clamped.startMs : clamped.endMs);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    trim.reset();
    try {
      await trim.mutateAsync({
        upload_id: source.id,
        start_ms: range.startMs,
        end_ms: range.endMs,
        aspect: aspect || null,
        crop,
      });
    } catch {
      // shown below
    }
  }

  return (
    <form
      noValidate
      onSubmit={(event) => void submit(event)}
      className="flex flex-col gap-4"
      aria-label="Trim"
    >
      <video
        ref={player}
        src={source.original?.url}
        poster={source.derived.poster?.url}
        controls
        playsInline
        preload="metadata"
        aria-label={`${source.filename}, to trim`}
        onTimeUpdate={(event) => setPlayheadMs(Math.round(event.currentTarget.currentTime * 1000))}
        className="aspect-video max-h-96 w-full rounded-lg bg-black object-contain"
      />
      <TrimScrubber
        durationMs={durationMs}
        fps={fps}
        range={range}
        playheadMs={playheadMs}
        onChange={change}
        onSeek={seek}
      />
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          size="sm"
          variant="outline"
          onClick={() => change({ ...range, startMs: playheadMs }, "start")}
        >
          Start at the playhead ({formatPrecise(playheadMs)})
        </Button>
        <Button
          type="button"
          size="sm"
          variant="outline"
          onClick={() => change({ ...range, endMs: playheadMs }, "end")}
        >
          End at the playhead
        </Button>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Re-frame"
          value={aspect}
          onChange={(event) => setAspect(event.target.value as Aspect | "")}
        >
          {ASPECTS.map((item) => (
            <option key={item.value} value={item.value}>
              {item.label}
            </option>
          ))}
        </SelectField>
        <CropChoice value={crop} onChange={setCrop} disabled={!aspect} />
      </div>
      {isPlanLimit(trim.error) ? (
        <PlanLimitPrompt error={trim.error} plan={usage.data?.plan ?? null} />
      ) : (
        <FormAlert message={trim.isError ? errorMessage(trim.error) : null} />
      )}
      {trim.isSuccess && (
        <p role="status" className="text-sm">
          Trim started: follow it in your jobs below.
        </p>
      )}
      <SubmitButton busy={trim.isPending} className="self-start">
        Trim {formatPrecise(range.endMs - range.startMs)}
      </SubmitButton>
    </form>
  );
}

/** Find the strongest short moments and render them as vertical clips. */
function HooksForm({ source }: { source: UploadOut }) {
  const [count, setCount] = useState("3");
  const [min, setMin] = useState("5");
  const [max, setMax] = useState("15");
  const [crop, setCrop] = useState<Crop>("centre");
  const [invalid, setInvalid] = useState<string | null>(null);
  const hooks = useCreateHooks();
  const usage = useUsage();
  const fieldErrors = isApiError(hooks.error) ? hooks.error.fieldErrors : {};

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    hooks.reset();
    const values = { count: Number(count), min: Number(min), max: Number(max) };
    if (!Number.isInteger(values.count) || values.count < 1) {
      setInvalid("Ask for at least one hook.");
      return;
    }
    if (!(values.min > 0) || !(values.max >= values.min)) {
      setInvalid("The longest hook must be at least as long as the shortest.");
      return;
    }
    setInvalid(null);
    try {
      await hooks.mutateAsync({
        upload_id: source.id,
        count: values.count,
        min_seconds: values.min,
        max_seconds: values.max,
        crop,
      });
    } catch {
      // shown below
    }
  }

  return (
    <form
      noValidate
      onSubmit={(event) => void submit(event)}
      className="flex flex-col gap-4"
      aria-label="Auto-hooks"
    >
      <p className="text-sm text-muted-foreground">
        ReelByte finds the strongest moments of {source.filename} (loudness peaks, scene changes and
        motion) and renders each as a vertical 9:16 clip, best first.
      </p>
      <div className="grid gap-4 sm:grid-cols-3">
        <FormField
          label="How many hooks"
          type="number"
          min={1}
          max={10}
          value={count}
          error={fieldErrors.count}
          onChange={(event) => setCount(event.target.value)}
        />
        <FormField
          label="Shortest (seconds)"
          type="number"
          min={1}
          value={min}
          error={fieldErrors.min_seconds}
          onChange={(event) => setMin(event.target.value)}
        />
        <FormField
          label="Longest (seconds)"
          type="number"
          min={1}
          value={max}
          error={fieldErrors.max_seconds}
          onChange={(event) => setMax(event.target.value)}
        />
      </div>
      <CropChoice value={crop} onChange={setCrop} />
      {isPlanLimit(hooks.error) ? (
        <PlanLimitPrompt error={hooks.error} plan={usage.data?.plan ?? null} />
      ) : (
        <FormAlert message={invalid ?? (hooks.isError ? errorMessage(hooks.error) : null)} />
      )}
      {hooks.isSuccess && (
        <p role="status" className="text-sm">
          Looking for hooks: follow it in your jobs below.
        </p>
      )}
      <SubmitButton busy={hooks.isPending} className="self-start">
        Find hooks
      </SubmitButton>
    </form>
  );
}

/** Pick one of my ready videos, or upload one (it is processed before the tools take it). */
function SourcePicker({
  videos,
  value,
  onChange,
}: {
  videos: UploadOut[];
  value: string;
  onChange: (id: string) => void;
}) {
  const [uploadedId, setUploadedId] = useState<string | null>(null);
  const uploaded = useUpload(uploadedId, { poll: true });
  const ready = uploaded.data?.state === "ready";

  useEffect(() => {
    if (ready && uploadedId) onChange(uploadedId);
  }, [ready, uploadedId, onChange]);

  return (
    <div className="grid gap-4 md:grid-cols-2">
      <SelectField
        label="Your video"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        hint={videos.length === 0 ? "No ready video yet: upload one." : undefined}
      >
        <option value="">Choose a video…</option>
        {videos.map((video) => (
          <option key={video.id} value={video.id}>
            {video.filename} ({formatPrecise(durationOf(video))})
          </option>
        ))}
      </SelectField>
      <div className="flex flex-col gap-2">
        <Uploader
          kind="video"
          purpose="portfolio"
          label="Or upload a video"
          onUploaded={(upload) => setUploadedId(upload.id)}
        />
        {uploadedId && !ready && uploaded.data?.state !== "failed" && (
          <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
            <Spinner className="size-4" /> Processing your upload…
          </p>
        )}
        {uploaded.data?.state === "failed" && (
          <p role="alert" className="text-sm text-destructive">
            {uploaded.data.failure_reason ?? "The video could not be processed."}
          </p>
        )}
      </div>
    </div>
  );
}

function Tools() {
  const videos = useMyVideos();
  const jobs = useVideoJobs();
  const usage = useUsage();
  const [sourceId, setSourceId] = useState("");
  const extra = useUpload(
    sourceId && !videos.data?.some((video) => video.id === sourceId) ? sourceId : null,
  );
  const source =
    videos.data?.find((video) => video.id === sourceId) ??
    (extra.data?.state === "ready" ? extra.data : undefined);
  const sourceNames = new Map((videos.data ?? []).map((video) => [video.id, video.filename]));
  if (extra.data) sourceNames.set(extra.data.id, extra.data.filename);

  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <div className="flex min-w-0 flex-col gap-8">
        <section aria-labelledby="source-heading" className="flex flex-col gap-3">
          <h2 id="source-heading" className="text-lg font-semibold tracking-tight">
            1. Choose a video
          </h2>
          {videos.isPending ? (
            <PageLoading label="Loading your videos" />
          ) : videos.isError ? (
            <ErrorState
              error={videos.error}
              title="Could not load your videos"
              onRetry={() => void videos.refetch()}
            />
          ) : (
            <SourcePicker videos={videos.data} value={sourceId} onChange={setSourceId} />
          )}
        </section>

        {source && (
          <section aria-labelledby="tool-heading" className="flex flex-col gap-3">
            <h2 id="tool-heading" className="text-lg font-semibold tracking-tight">
              2. Cut it
            </h2>
            {durationOf(source) === 0 ? (
              <p className="text-sm text-muted-foreground">
                The length of this video is unknown, so it cannot be cut.
              </p>
            ) : (
              <Tabs defaultValue="trim">
                <TabsList>
                  <TabsTrigger value="trim">Trim &amp; re-frame</TabsTrigger>
                  <TabsTrigger value="hooks">Auto-hooks</TabsTrigger>
                </TabsList>
                <TabsContent value="trim" className="pt-4">
                  <TrimForm key={source.id} source={source} />
                </TabsContent>
                <TabsContent value="hooks" className="pt-4">
                  <HooksForm key={source.id} source={source} />
                </TabsContent>
              </Tabs>
            )}
          </section>
        )}

        <section aria-labelledby="jobs-heading" className="flex flex-col gap-3">
          <h2 id="jobs-heading" className="text-lg font-semibold tracking-tight">
            Your jobs
          </h2>
          {jobs.isPending ? (
            <PageLoading label="Loading your jobs" />
          ) : jobs.isError ? (
            <ErrorState
              error={jobs.error}
              title="Could not load your jobs"
              onRetry={() => void jobs.refetch()}
            />
          ) : jobs.data.items.length === 0 ? (
            <p className="rounded-xl border border-dashed p-6 text-center text-sm text-muted-foreground">
              No jobs yet. Trims and hooks you start show here with their progress, and their clips
              stay for a while to preview, download or keep.
            </p>
          ) : (
            <JobList jobs={jobs.data.items} sourceNames={sourceNames} />
          )}
        </section>
      </div>
      <aside aria-labelledby="usage-heading" className="lg:sticky lg:top-20 lg:self-start">
        <Card>
          <CardHeader>
            <CardTitle id="usage-heading" className="text-base">
              Your plan this period
            </CardTitle>
            <CardDescription>What the video tools used of your plan’s limits.</CardDescription>
          </CardHeader>
          <CardContent>
            {usage.isPending ? (
              <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
                <Spinner className="size-4" /> Loading…
              </p>
            ) : usage.isError ? (
              <p className="text-sm text-muted-foreground">{errorMessage(usage.error)}</p>
            ) : (
              <UsageMeters usage={usage.data} />
            )}
          </CardContent>
        </Card>
      </aside>
    </div>
  );
}

export function Component() {
  const { user } = useAuth();
  if (!user) return <PageLoading />;
  const sells = user.role !== "client";
  return (
    <div className="flex flex-col gap-8">
      <title>Video tools · ReelByte</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">Video tools</h1>
        <p className="text-muted-foreground">
          Trim and re-frame your videos, and cut scroll-stopping hooks from long ones.
        </p>
      </div>
      {sells ? (
        <Tools />
      ) : (
        <p className="rounded-xl border border-dashed p-6 text-sm text-muted-foreground">
          The video tools are for creators.{" "}
          <Link
            to="/dashboard"
            className="font-medium text-primary underline-offset-4 hover:underline"
          >
            Sell video work too
          </Link>{" "}
          to use them.
        </p>
      )}
    </div>
  );
}
Component.displayName = "VideoToolsPage";
