/** A storyboard sprite (media/processing.py `Storyboard`): `columns` x `rows` tiles, read left
 * to right then top to bottom; tile n shows the video at n x `interval_seconds`. */
import type { CSSProperties } from "react";
import type { MediaFile } from "@/api/queries";

export interface Storyboard {
  url: string;
  columns: number;
  rows: number;
  intervalSeconds: number;
  /** Tiles that show the video (a short video fills fewer than columns x rows). */
  tiles: number;
}

/** The storyboard of an upload's derived files, when it has a usable one. */
export function storyboardOf(
  derived: Record<string, MediaFile> | undefined,
  durationSeconds: number | null,
): Storyboard | null {
  const file = derived?.storyboard;
  if (!file?.columns || !file.rows || file.columns < 1 || file.rows < 1) return null;
  const grid = file.columns * file.rows;
  const interval = file.interval_seconds ?? 0;
  const duration = durationSeconds ?? file.duration_seconds ?? null;
  const used = interval > 0 && duration ? Math.ceil(duration / interval) : grid;
  return {
    url: file.url,
    columns: file.columns,
    rows: file.rows,
    intervalSeconds: interval,
    tiles: Math.max(1, Math.min(grid, used)),
  };
}

/** The tile under the pointer: `fraction` is its x position across the picture (0 to 1). */
export function tileAt(storyboard: Storyboard, fraction: number): number {
  const clamped = Math.min(Math.max(fraction, 0), 1);
  return Math.min(storyboard.tiles - 1, Math.floor(clamped * storyboard.tiles));
}

/** The sprite scaled to the box, moved so that tile `tile` fills it. */
export function tileStyle(storyboard: Storyboard, tile: number): CSSProperties {
  const { columns, rows } = storyboard;
  const column = tile % columns;
  const row = Math.floor(tile / columns);
  const x = columns > 1 ? (column / (columns - 1)) * 100 : 0;
  const y = rows > 1 ? (row / (rows - 1)) * 100 : 0;
  return {
    backgroundImage: `url("${storyboard.url}")`,
    backgroundSize: `${columns * 100}% ${rows * 100}%`,
    backgroundPosition: `${x}% ${y}%`,
    backgroundRepeat: "no-repeat",
  };
}
