import { describe, expect, it } from "vitest";
import { orderDetail, event } from "@/components/order/test-fixtures";
import { thread } from "./test-fixtures";
import { authorName, bundledCommentIds, commentsOpen, openThreads, pinsAt } from "./review-model";

describe("the review's rules", () => {
  it("keeps comments open while the order is live", () => {
    expect(commentsOpen({ status: "delivered" })).toBe(true);
    expect(commentsOpen({ status: "completed" })).toBe(false);
  });

  it("counts open threads: not resolved, deleted or addressed", () => {
    const threads = [
      thread(),
      thread({ id: "b", resolved: true }),
      thread({ id: "c", deleted: true }),
      thread({ id: "d", addressed_by_delivery_id: "delivery-2" }),
    ];
    expect(openThreads(threads).map((item) => item.id)).toEqual(["comment-1"]);
  });

  it("names the author for the viewer", () => {
    const order = { client_id: "client-1", creator_id: "creator-1" };
    expect(authorName("client-1", order, "client-1")).toBe("You");
    expect(authorName("creator-1", order, "client-1")).toBe("Creator");
    expect(authorName("client-1", order, "creator-1")).toBe("Client");
  });

  it("pins only spots near the current moment", () => {
    const threads = [
      thread(),
      thread({ id: "b", x: null, y: null }),
      thread({ id: "c", timecode_ms: 9000 }),
    ];
    expect(pinsAt(threads, 5200).map((item) => item.id)).toEqual(["comment-1"]);
  });

  it("reads the comments the last revision request bundled", () => {
    const order = orderDetail({
      events: [
        event({ kind: "revision_requested", data: { comment_ids: ["a"] } }),
        event({ kind: "revision_requested", data: { comment_ids: ["b", 3] } }),
      ],
    });
    expect(bundledCommentIds(order)).toEqual(["b"]);
    expect(bundledCommentIds(orderDetail({ events: [] }))).toEqual([]);
  });
});
