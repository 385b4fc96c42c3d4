import { describe, expect, it } from "vitest";
import { clampRange, nudge } from "./trim-model";

describe("the trim handles", () => {
  const bounds = { min: 0, max: 8000 };

  it("move a frame with the arrows, a second with Shift, to the ends with Home/End", () => {
    expect(nudge("ArrowRight", false, 1000, 40, bounds)).toBe(1040);
    expect(nudge("ArrowLeft", true, 1000, 40, bounds)).toBe(0);
    expect(nudge("PageUp", false, 1000, 40, bounds)).toBe(6000);
    expect(nudge("End", false, 1000, 40, bounds)).toBe(8000);
    expect(nudge("ArrowUp", false, 8000, 40, bounds)).toBe(8000);
    expect(nudge("a", false, 1000, 40, bounds)).toBeNull();
  });

  it("keep the range on frames, inside the video and not empty", () => {
    expect(clampRange({ startMs: 1010, endMs: 9000 }, 8000, "end", 25)).toEqual({
      startMs: 1000,
      endMs: 8000,
    });
    expect(clampRange({ startMs: 3000, endMs: 2000 }, 8000, "start")).toEqual({
      startMs: 1900,
      endMs: 2000,
    });
    expect(clampRange({ startMs: 3000, endMs: 2000 }, 8000, "end")).toEqual({
      startMs: 3000,
      endMs: 3100,
    });
  });
});
