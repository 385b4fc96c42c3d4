import { describe, expect, it } from "vitest";
import {
  formatPrecise,
  formatTimecode,
  percentOf,
  pictureBox,
  snapToFrame,
  spotOf,
} from "./timecode";

describe("timecodes", () => {
  it("reads a moment as mm:ss, and h:mm:ss past an hour", () => {
    expect(formatTimecode(5000)).toBe("00:05");
    expect(formatTimecode(65_999)).toBe("01:05");
    expect(formatTimecode(3_725_000)).toBe("1:02:05");
    expect(formatTimecode(-20)).toBe("00:00");
  });

  it("reads a trim handle to the hundredth", () => {
    expect(formatPrecise(0)).toBe("00:00.00");
    expect(formatPrecise(83_456)).toBe("01:23.45");
  });

  it("snaps to the nearest frame", () => {
    expect(snapToFrame(1010, 25)).toBe(1000);
    expect(snapToFrame(1025, 25)).toBe(1040);
    expect(snapToFrame(1001, 30)).toBe(1000);
    expect(snapToFrame(1234.4, null)).toBe(1234);
  });

  it("places a moment along the timeline", () => {
    expect(percentOf(2000, 8000)).toBe(25);
    expect(percentOf(9000, 8000)).toBe(100);
    expect(percentOf(1, 0)).toBe(0);
  });
});

describe("a click on the picture", () => {
  it("maps to fractions of the picture, bars excluded", () => {
    // A 16:9 picture in a square player: bars above and below.
    const picture = pictureBox({ left: 0, top: 0, width: 320, height: 320 }, 1920, 1080);
    expect(picture).toEqual({ left: 0, top: 70, width: 320, height: 180 });
    expect(spotOf(160, 160, picture)).toEqual({ x: 0.5, y: 0.5 });
    expect(spotOf(160, 20, picture)).toBeNull();
  });
});
