import type { DeliveryOut } from "@/api/orders";

/** Whether `delivery` is the latest submission of its milestone (the one under review). */
export function isLatestOfMilestone(delivery: DeliveryOut, deliveries: DeliveryOut[]): boolean {
  const ofMilestone = deliveries.filter((item) => item.milestone_id === delivery.milestone_id);
  return ofMilestone.at(-1)?.id === delivery.id;
}
