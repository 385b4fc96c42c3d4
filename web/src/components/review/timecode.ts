/** Times of a video, as people read them and as the API counts them (milliseconds). */

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** `mm:ss` (or `h:mm:ss` past an hour): a comment's moment. */
export function formatTimecode(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
}

/** `mm:ss.cs` (hundredths): a trim handle's position. */
export function formatPrecise(ms: number): string {
  const clamped = Math.max(0, Math.round(ms));
  const centis = Math.floor((clamped % 1000) / 10);
  const total = Math.floor(clamped / 1000);
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}.${pad(centis)}`;
}

/** The nearest frame boundary at `fps` (what the trim cuts on), in whole milliseconds. */
export function snapToFrame(ms: number, fps: number | null | undefined): number {
  if (!fps || fps <= 0) return Math.round(ms);
  const frame = 1000 / fps;
  return Math.round(Math.round(ms / frame) * frame);
}

/** Where `ms` sits along `durationMs`, as a percentage 0–100. */
export function percentOf(ms: number, durationMs: number): number {
  if (durationMs <= 0) return 0;
  return Math.min(100, Math.max(0, (ms / durationMs) * 100));
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The picture's box inside a player of `box` showing a `videoWidth`×`videoHeight` video with
 * `object-fit: contain` (bars on two sides). */
export function pictureBox(box: Box, videoWidth: number, videoHeight: number): Box {
  if (!videoWidth || !videoHeight || !box.width || !box.height) return box;
  const scale = Math.min(box.width / videoWidth, box.height / videoHeight);
  const width = videoWidth * scale;
  const height = videoHeight * scale;
  return {
    left: box.left + (box.width - width) / 2,
    top: box.top + (box.height - height) / 2,
    width,
    height,
  };
}

/** A click at (clientX, clientY) as a spot on the picture: x and y from 0 to 1, or null when it
 * falls on the bars around it. */
export function spotOf(
  clientX: number,
  clientY: number,
  picture: Box,
): { x: number; y: number } | null {
  const x = (clientX - picture.left) / picture.width;
  const y = (clientY - picture.top) / picture.height;
  if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return null;
  return { x: Math.round(x * 1000) / 1000, y: Math.round(y * 1000) / 1000 };
}
