import { useEffect, useId, useRef, useState, type MouseEvent } from "react";
import { errorMessage } from "@/api/errors";
import type { DeliveryOut, OrderDetail } from "@/api/orders";
import { useComments, usePostComment, type CommentThread } from "@/api/review";
import { Spinner } from "@/components/states";
import { StreamVideo } from "@/components/stream-video";
import { Button } from "@/components/ui/button";
import type { Side } from "@/components/order/status-model";
import { CommentList, TextForm } from "./comment-list";
import { DownloadOriginal } from "./download-original";
import { commentsOpen, isOpenThread, pinsAt, type VideoDeliverable } from "./review-model";
import { SpecReportView } from "./spec-report";
import { formatTimecode, percentOf, pictureBox, spotOf } from "./timecode";

/** Where a new comment goes: a moment, and a spot on the frame when one was clicked. */
interface Draft {
  timecodeMs: number;
  x: number | null;
  y: number | null;
}

function Pin({ x, y, label, active }: { x: number; y: number; label: string; active?: boolean }) {
  return (
    <span
      aria-hidden="true"
      title={label}
      className={`pointer-events-none absolute size-5 -translate-x-1/2 -translate-y-1/2 rounded-full border-2 border-white shadow ${active ? "bg-primary" : "bg-amber-500"}`}
      style={{ left: `${x * 100}%`, top: `${y * 100}%` }}
    />
  );
}

/** The comments as markers along the video's length; each seeks the player there. */
function Timeline({
  threads,
  durationMs,
  currentMs,
  draftMs,
  onSeek,
}: {
  threads: CommentThread[];
  durationMs: number;
  currentMs: number;
  draftMs: number | null;
  onSeek: (ms: number) => void;
}) {
  return (
    <div className="relative h-8" aria-label="Comments on the timeline" role="group">
      <div className="absolute inset-x-0 top-1/2 h-1.5 -translate-y-1/2 rounded-full bg-muted">
        <div
          className="h-full rounded-full bg-primary/40"
          style={{ width: `${percentOf(currentMs, durationMs)}%` }}
        />
      </div>
      {draftMs !== null && (
        <span
          aria-hidden="true"
          className="absolute top-0 h-8 w-0.5 -translate-x-1/2 bg-primary"
          style={{ left: `${percentOf(draftMs, durationMs)}%` }}
        />
      )}
      {threads
        .filter((thread) => !thread.deleted)
        .map((thread) => {
          const time = formatTimecode(thread.timecode_ms);
          const open = isOpenThread(thread);
          return (
            <button
              key={thread.id}
              type="button"
              aria-label={`Go to the comment at ${time}`}
              title={`${time}: ${thread.text ?? ""}`}
              onClick={() => onSeek(thread.timecode_ms)}
              className={`absolute top-1/2 size-4 -translate-x-1/2 -translate-y-1/2 rounded-full border-2 border-background focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring ${open ? "bg-amber-500" : "bg-emerald-600"}`}
              style={{ left: `${percentOf(thread.timecode_ms, durationMs)}%` }}
            />
          );
        })}
    </div>
  );
}

/**
 * A delivered video under review, Frame.io-style: the player with the comments pinned on the
 * frame and marked on a timeline under it; a click on the picture pauses it there and starts a
 * comment at that moment and spot; the threads in timecode order beside it, with the spec check
 * and the original's download.
 */
export function DeliveryReview({
  order,
  side,
  delivery,
  item,
  viewerId,
  deliveryNumbers,
}: {
  order: OrderDetail;
  side: Side;
  delivery: DeliveryOut;
  item: VideoDeliverable;
  viewerId: string | undefined;
  deliveryNumbers: Map<string, number>;
}) {
  const file = item.file;
  const box = useRef<HTMLDivElement>(null);
  const comments = useComments(delivery.id);
  const post = usePostComment(delivery.id);
  const [currentMs, setCurrentMs] = useState(0);
  const [mediaMs, setMediaMs] = useState<number | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const headingId = useId();
  const writable = side !== null && commentsOpen(order);
  const durationMs = Math.round((file.probe?.duration_seconds ?? 0) * 1000) || mediaMs || 0;
  const threads = comments.data ?? [];

  const video = () => box.current?.querySelector("video") ?? null;

  useEffect(() => {
    const element = box.current?.querySelector("video");
    if (!element) return;
    const tick = () => setCurrentMs(Math.round(element.currentTime * 1000));
    const loaded = () => {
      if (Number.isFinite(element.duration)) setMediaMs(Math.round(element.duration * 1000));
    };
    element.addEventListener("timeupdate", tick);
    element.addEventListener("seeked", tick);
    element.addEventListener("loadedmetadata", loaded);
    return () => {
      element.removeEventListener("timeupdate", tick);
      element.removeEventListener("seeked", tick);
      element.removeEventListener("loadedmetadata", loaded);
    };
  }, []);

  function seek(ms: number) {
    const element = video();
    if (!element) return;
    element.pause();
    element.currentTime = ms / 1000;
    setCurrentMs(ms);
  }

  function commentHere(event: MouseEvent<HTMLDivElement>) {
    const element = video();
    if (!element) return;
    element.pause();
    const bounds = element.getBoundingClientRect();
    const picture = pictureBox(bounds, element.videoWidth, element.videoHeight);
    const spot = spotOf(event.clientX, event.clientY, picture);
    setDraft({
      timecodeMs: Math.round(element.currentTime * 1000),
      x: spot?.x ?? null,
      y: spot?.y ?? null,
    });
  }

  function commentNow() {
    const element = video();
    element?.pause();
    setDraft({ timecodeMs: Math.round((element?.currentTime ?? 0) * 1000), x: null, y: null });
  }

  const pins = pinsAt(threads, currentMs);
  const draftTime = draft ? formatTimecode(draft.timecodeMs) : "";

  return (
    <section
      aria-labelledby={headingId}
      className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_18rem]"
      data-testid="delivery-review"
    >
      <h4 id={headingId} className="sr-only">
        Review of {item.title}
      </h4>
      <div className="flex min-w-0 flex-col gap-2">
        <div ref={box} className="relative">
          <StreamVideo
            src={file.file.url}
            poster={file.derived.poster?.url ?? file.derived.thumbnail?.url}
            controls
            playsInline
            preload="metadata"
            aria-label={item.title}
            className="aspect-video w-full rounded-lg bg-black object-contain"
          />
          {writable && (
            // Clicks on the picture start a comment; the bottom strip stays for the controls.
            // Keyboard users have the "Comment at …" button below.
            <div
              aria-hidden="true"
              data-testid="comment-layer"
              className="absolute inset-x-0 top-0 bottom-12 cursor-crosshair"
              onClick={commentHere}
            />
          )}
          <div aria-hidden="true" className="pointer-events-none absolute inset-0">
            {pins.map((thread) => (
              <Pin
                key={thread.id}
                x={thread.x ?? 0}
                y={thread.y ?? 0}
                label={`${formatTimecode(thread.timecode_ms)}: ${thread.text ?? ""}`}
              />
            ))}
            {draft && draft.x !== null && draft.y !== null && (
              <Pin x={draft.x} y={draft.y} label="Your new comment" active />
            )}
          </div>
        </div>
        {durationMs > 0 && (
          <Timeline
            threads={threads}
            durationMs={durationMs}
            currentMs={currentMs}
            draftMs={draft?.timecodeMs ?? null}
            onSeek={seek}
          />
        )}
        <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
          {writable ? (
            <Button size="sm" variant="outline" onClick={commentNow}>
              Comment at {formatTimecode(currentMs)}
            </Button>
          ) : (
            <span className="text-muted-foreground">
              {side === null ? "" : "The review is closed: comments are read-only."}
            </span>
          )}
          <DownloadOriginal file={file} side={side} order={order} />
        </div>
        {draft && (
          <div className="rounded-lg border p-3">
            <TextForm
              key={`${draft.timecodeMs}-${draft.x}-${draft.y}`}
              label={`Comment at ${draftTime}`}
              submit="Post comment"
              autoFocus
              onCancel={() => setDraft(null)}
              onSubmit={async (text) => {
                await post.mutateAsync({
                  text,
                  timecode_ms: draft.timecodeMs,
                  x: draft.x,
                  y: draft.y,
                });
                setDraft(null);
              }}
            />
            <p className="mt-1 text-xs text-muted-foreground">
              At {draftTime}
              {draft.x !== null ? ", pinned where you clicked" : ""}. Esc cancels.
            </p>
          </div>
        )}
        <div className="mt-2 flex flex-col gap-2">
          <h5 className="text-sm font-semibold">
            Comments{" "}
            {comments.data && (
              <span className="font-normal text-muted-foreground">
                ({threads.filter(isOpenThread).length} open of {threads.length})
              </span>
            )}
          </h5>
          {comments.isPending ? (
            <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
              <Spinner className="size-4" /> Loading the comments…
            </p>
          ) : comments.isError ? (
            // Not an alert: the order and its actions stay usable without the comments.
            <p className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
              Could not load the comments: {errorMessage(comments.error)}
              <Button size="sm" variant="outline" onClick={() => void comments.refetch()}>
                Try again
              </Button>
            </p>
          ) : threads.length === 0 ? (
            <p className="text-sm text-muted-foreground">
              {writable
                ? "No comments yet. Click the picture (or “Comment at”) to point at a moment."
                : "No comments on this delivery."}
            </p>
          ) : (
            <CommentList
              threads={threads}
              order={order}
              deliveryId={delivery.id}
              viewerId={viewerId}
              writable={writable}
              deliveryNumbers={deliveryNumbers}
              onSeek={seek}
            />
          )}
        </div>
      </div>
      <div className="flex min-w-0 flex-col gap-3">
        {file.spec_report ? (
          <SpecReportView report={file.spec_report} headingId={`${headingId}-spec`} />
        ) : (
          <p className="rounded-xl border p-3 text-sm text-muted-foreground">
            The spec check has not run on this file yet.
          </p>
        )}
      </div>
    </section>
  );
}
