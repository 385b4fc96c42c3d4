import type { OrderDetail } from "@/api/orders";
import { useCommentsOf, type CommentThread } from "@/api/review";
import { bundledCommentIds, isOpenThread, openThreads } from "./review-model";

/** The open threads of the order's earlier deliveries, with each delivery's number. */
export function useOpenThreads(order: Pick<OrderDetail, "deliveries">) {
  const results = useCommentsOf(order.deliveries.map((delivery) => delivery.id));
  const threads: { thread: CommentThread; deliveryNumber: number }[] = [];
  results.forEach((result, index) => {
    for (const thread of result.data ?? []) {
      if (isOpenThread(thread)) threads.push({ thread, deliveryNumber: index + 1 });
    }
  });
  return threads;
}

/** What a delivery addresses by default: the comments the last revision request bundled. */
export function defaultAddressed(order: Pick<OrderDetail, "events">): string[] {
  return bundledCommentIds(order);
}

/** The open review threads of an order's deliveries (those the review panels have loaded). */
export function useOpenCommentCount(order: Pick<OrderDetail, "deliveries">): number {
  const results = useCommentsOf(order.deliveries.map((delivery) => delivery.id));
  return results.reduce((count, result) => count + openThreads(result.data ?? []).length, 0);
}
