import { snapToFrame } from "@/components/review/timecode";

export interface TrimRange {
  startMs: number;
  endMs: number;
}

/** The shortest clip the handles allow. */
export const MIN_CLIP_MS = 100;

/** Where a handle moves for a key: a frame with the arrows, a second with Shift, five with Page
 * Up/Down, the ends with Home/End; null for other keys. */
export function nudge(
  key: string,
  shift: boolean,
  valueMs: number,
  frameMs: number,
  bounds: { min: number; max: number },
): number | null {
  const step = shift ? 1000 : frameMs;
  let next: number;
  switch (key) {
    case "ArrowLeft":
    case "ArrowDown":
      next = valueMs - step;
      break;
    case "ArrowRight":
    case "ArrowUp":
      next = valueMs + step;
      break;
    case "PageDown":
      next = valueMs - 5000;
      break;
    case "PageUp":
      next = valueMs + 5000;
      break;
    case "Home":
      next = bounds.min;
      break;
    case "End":
      next = bounds.max;
      break;
    default:
      return null;
  }
  return Math.min(bounds.max, Math.max(bounds.min, next));
}

/** Keep a range inside the video and at least MIN_CLIP_MS long, the moved handle winning. */
export function clampRange(
  range: TrimRange,
  durationMs: number,
  moved: "start" | "end",
  fps?: number | null,
): TrimRange {
  const startMs = Math.max(0, Math.min(snapToFrame(range.startMs, fps), durationMs));
  const endMs = Math.max(0, Math.min(snapToFrame(range.endMs, fps), durationMs));
  if (endMs - startMs >= MIN_CLIP_MS) return { startMs, endMs };
  return moved === "start"
    ? { startMs: Math.max(0, endMs - MIN_CLIP_MS), endMs }
    : { startMs, endMs: Math.min(durationMs, startMs + MIN_CLIP_MS) };
}
