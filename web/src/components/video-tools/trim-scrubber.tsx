import { useRef, type KeyboardEvent, type PointerEvent } from "react";
import { formatPrecise, percentOf } from "@/components/review/timecode";
import { cn } from "@/lib/utils";
import { MIN_CLIP_MS, nudge, type TrimRange } from "./trim-model";

function Handle({
  label,
  valueMs,
  durationMs,
  bounds,
  frameMs,
  onChange,
  onDrag,
  side,
}: {
  label: string;
  valueMs: number;
  durationMs: number;
  bounds: { min: number; max: number };
  frameMs: number;
  onChange: (ms: number) => void;
  onDrag: (event: PointerEvent<HTMLDivElement>) => void;
  side: "start" | "end";
}) {
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const next = nudge(event.key, event.shiftKey, valueMs, frameMs, bounds);
    if (next === null) return;
    event.preventDefault();
    onChange(next);
  }
  return (
    <div
      role="slider"
      tabIndex={0}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={durationMs}
      aria-valuenow={valueMs}
      aria-valuetext={formatPrecise(valueMs)}
      onKeyDown={onKeyDown}
      onPointerDown={onDrag}
      className={cn(
        "absolute top-0 z-10 flex h-full w-4 -translate-x-1/2 cursor-ew-resize touch-none items-center justify-center rounded-md bg-primary shadow focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring",
        side === "start" ? "rounded-r-sm" : "rounded-l-sm",
      )}
      style={{ left: `${percentOf(valueMs, durationMs)}%` }}
    >
      <span aria-hidden="true" className="h-4 w-0.5 rounded bg-primary-foreground" />
    </div>
  );
}

/**
 * The trim's scrubber: the video's length with the kept part between two handles. Drag a handle,
 * or focus it and use the arrows (a frame; Shift: a second; Page Up/Down: five; Home/End); a
 * click on the track moves the playhead there.
 */
export function TrimScrubber({
  durationMs,
  fps,
  range,
  playheadMs,
  onChange,
  onSeek,
}: {
  durationMs: number;
  fps: number | null | undefined;
  range: TrimRange;
  playheadMs: number;
  onChange: (range: TrimRange, moved: "start" | "end") => void;
  onSeek: (ms: number) => void;
}) {
  const track = useRef<HTMLDivElement>(null);
  const frameMs = fps && fps > 0 ? 1000 / fps : 40;

  function msAt(clientX: number): number {
    const box = track.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    const share = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return share * durationMs;
  }

  function drag(which: "start" | "end", event: PointerEvent<HTMLDivElement>) {
    event.preventDefault();
    event.stopPropagation();
    const target = event.currentTarget;
    target.focus();
    target.setPointerCapture?.(event.pointerId);
    const move = (moveEvent: globalThis.PointerEvent) => {
      const ms = msAt(moveEvent.clientX);
      onChange(which === "start" ? { ...range, startMs: ms } : { ...range, endMs: ms }, which);
    };
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
      target.removeEventListener("pointercancel", up);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
    target.addEventListener("pointercancel", up);
  }

  const left = percentOf(range.startMs, durationMs);
  const right = percentOf(range.endMs, durationMs);

  return (
    <div className="flex flex-col gap-2">
      <div
        ref={track}
        className="relative h-12 cursor-pointer rounded-md bg-muted"
        onPointerDown={(event) => onSeek(msAt(event.clientX))}
        data-testid="trim-track"
      >
        <div
          aria-hidden="true"
          className="absolute inset-y-0 rounded-md bg-primary/20 ring-2 ring-primary ring-inset"
          style={{ left: `${left}%`, width: `${Math.max(0, right - left)}%` }}
        />
        <div
          aria-hidden="true"
          className="pointer-events-none absolute inset-y-0 w-0.5 bg-foreground"
          style={{ left: `${percentOf(playheadMs, durationMs)}%` }}
        />
        <Handle
          side="start"
          label="Start of the clip"
          valueMs={range.startMs}
          durationMs={durationMs}
          bounds={{ min: 0, max: range.endMs - MIN_CLIP_MS }}
          frameMs={frameMs}
          onChange={(ms) => onChange({ ...range, startMs: ms }, "start")}
          onDrag={(event) => drag("start", event)}
        />
        <Handle
          side="end"
          label="End of the clip"
          valueMs={range.endMs}
          durationMs={durationMs}
          bounds={{ min: range.startMs + MIN_CLIP_MS, max: durationMs }}
          frameMs={frameMs}
          onChange={(ms) => onChange({ ...range, endMs: ms }, "end")}
          onDrag={(event) => drag("end", event)}
        />
      </div>
      <p className="flex flex-wrap justify-between gap-2 font-mono text-sm" aria-live="polite">
        <span>
          <span className="sr-only">Start </span>
          {formatPrecise(range.startMs)}
        </span>
        <span className="text-muted-foreground">
          <span className="sr-only">Length </span>
          {formatPrecise(range.endMs - range.startMs)}
        </span>
        <span>
          <span className="sr-only">End </span>
          {formatPrecise(range.endMs)}
        </span>
      </p>
    </div>
  );
}
