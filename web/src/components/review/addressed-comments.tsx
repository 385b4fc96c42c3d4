import { useId } from "react";
import type { OrderDetail } from "@/api/orders";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { useOpenThreads } from "./review-hooks";
import { formatTimecode } from "./timecode";

/** In the creator's delivery form: the review comments this delivery answers (they are marked
 * addressed by it). */
export function AddressedComments({
  order,
  value,
  onChange,
}: {
  order: Pick<OrderDetail, "deliveries">;
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  const threads = useOpenThreads(order);
  const baseId = useId();
  if (threads.length === 0) return null;
  const chosen = new Set(value);
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">Comments this delivery addresses</legend>
      <ul className="flex flex-col gap-2">
        {threads.map(({ thread, deliveryNumber }) => {
          const id = `${baseId}-${thread.id}`;
          return (
            <li key={thread.id} className="flex items-start gap-2">
              <Checkbox
                id={id}
                checked={chosen.has(thread.id)}
                onCheckedChange={(checked) =>
                  onChange(
                    checked === true
                      ? [...value, thread.id]
                      : value.filter((item) => item !== thread.id),
                  )
                }
              />
              <Label htmlFor={id} className="leading-snug font-normal">
                <span className="font-mono">{formatTimecode(thread.timecode_ms)}</span>{" "}
                <span className="text-muted-foreground">(delivery {deliveryNumber})</span>{" "}
                {thread.text}
              </Label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
