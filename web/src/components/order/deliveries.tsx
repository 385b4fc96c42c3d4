import type { ReactNode } from "react";
import type { DeliverableOut, DeliveryOut, OrderDetail } from "@/api/orders";
import { DeliveryReview } from "@/components/review/delivery-review";
import { reviewedVideo } from "@/components/review/review-model";
import { StreamVideo } from "@/components/stream-video";
import { isPlaylist } from "@/lib/playlist";
import { formatDateTime } from "./dates";
import { formatBytes } from "./deliveries-model";
import type { Side } from "./status-model";

function FileLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a
      href={href}
      target="_blank"
      rel="noreferrer"
      className="font-medium text-primary underline-offset-4 hover:underline"
    >
      {children}
    </a>
  );
}

/** One deliverable: a video to play, a picture or a document to open, or a link. */
export function DeliverableItem({ item }: { item: DeliverableOut }) {
  if (item.url) {
    return (
      <p className="text-sm">
        <FileLink href={item.url}>{item.title}</FileLink>{" "}
        <span className="text-muted-foreground">(link)</span>
      </p>
    );
  }
  const file = item.file;
  if (!file) {
    return (
      <p className="text-sm text-muted-foreground">
        {item.title}: this file is no longer available.
      </p>
    );
  }
  if (file.kind === "video") {
    return (
      <figure className="flex flex-col gap-1.5">
        <StreamVideo
          src={file.file.url}
          poster={file.derived.poster?.url ?? file.derived.thumbnail?.url}
          controls
          playsInline
          preload="metadata"
          aria-label={item.title}
          className="aspect-video w-full rounded-lg bg-black object-contain"
        />
        <figcaption className="flex flex-wrap gap-x-3 text-sm">
          <span className="font-medium">{item.title}</span>
          {isPlaylist(file.file.url) ? (
            <span className="text-muted-foreground">
              A watermarked preview: the original downloads once the work is approved.
            </span>
          ) : (
            <FileLink href={file.file.url}>Download ({formatBytes(file.size)})</FileLink>
          )}
        </figcaption>
      </figure>
    );
  }
  const thumbnail = file.kind === "image" ? (file.derived.thumbnail?.url ?? file.file.url) : null;
  return (
    <p className="flex items-center gap-3 text-sm">
      {thumbnail && (
        <img src={thumbnail} alt="" className="size-12 rounded-md object-cover" loading="lazy" />
      )}
      <FileLink href={file.file.url}>{item.title}</FileLink>
      <span className="text-muted-foreground">
        {file.kind === "document" ? "PDF" : "Image"}, {formatBytes(file.size)}
      </span>
    </p>
  );
}

function revisionNote(revisionNumber: number): string | null {
  if (revisionNumber === 0) return null;
  return revisionNumber === 1
    ? "After a revision request"
    : `After ${revisionNumber} revision requests`;
}

/** The deliveries (the API lists them oldest first), shown newest first; with `review`, each
 * delivery's first video plays in the timecoded review (components/review). `aside` adds what
 * goes with a delivery above its files (a milestone's submission: its milestone, the decision). */
export function DeliveryList({
  deliveries,
  review,
  aside,
}: {
  deliveries: DeliveryOut[];
  review?: { order: OrderDetail; side: Side; viewerId: string | undefined };
  aside?: (delivery: DeliveryOut) => ReactNode;
}) {
  const numbered = deliveries.map((delivery, index) => ({ delivery, number: index + 1 }));
  const deliveryNumbers = new Map(numbered.map(({ delivery, number }) => [delivery.id, number]));
  return (
    <ol className="flex flex-col gap-4">
      {numbered.reverse().map(({ delivery, number }) => {
        const revision = revisionNote(delivery.revision_number);
        const reviewed = review ? reviewedVideo(delivery) : null;
        return (
          <li key={delivery.id} className="flex flex-col gap-3 rounded-xl border p-4">
            <h3 className="flex flex-wrap items-baseline justify-between gap-2 font-semibold">
              Delivery {number}
              <time
                dateTime={delivery.created_at}
                className="text-xs font-normal text-muted-foreground"
              >
                {formatDateTime(delivery.created_at)}
              </time>
            </h3>
            {revision && <p className="text-xs text-muted-foreground">{revision}</p>}
            {delivery.message && <p className="text-sm whitespace-pre-line">{delivery.message}</p>}
            {aside?.(delivery)}
            {delivery.deliverables.length > 0 ? (
              <ul className="flex flex-col gap-4" aria-label={`Files of delivery ${number}`}>
                {delivery.deliverables.map((item) => (
                  <li key={item.id}>
                    {review && reviewed?.id === item.id ? (
                      <DeliveryReview
                        {...review}
                        delivery={delivery}
                        item={reviewed}
                        deliveryNumbers={deliveryNumbers}
                      />
                    ) : (
                      <DeliverableItem item={item} />
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground">No files with this delivery.</p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
