import type { AttachedFile, OrderDetail } from "@/api/orders";
import { errorMessage } from "@/api/errors";
import { startDownload, useDownloadOriginal } from "@/api/review";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import type { Side } from "@/components/order/status-model";
import { isPlaylist } from "@/lib/playlist";

const RELEASED = new Set(["completed"]);

/** The original file's download. Until the work is approved the client watches a watermarked,
 * at most 720p preview, and the API refuses the original (403 `delivery_not_released`): the
 * refusal's reason shows next to the button. */
export function DownloadOriginal({
  file,
  side,
  order,
}: {
  file: AttachedFile;
  side: Side;
  order: Pick<OrderDetail, "status">;
}) {
  const download = useDownloadOriginal(file.upload_id);
  const protectedPreview = side === "client" && isPlaylist(file.file.url);
  const released = side !== "client" || RELEASED.has(order.status) || !protectedPreview;

  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant={released ? "default" : "outline"}
        aria-busy={download.isPending}
        disabled={download.isPending}
        onClick={() =>
          download.mutate(undefined, {
            onSuccess: ({ url }) => startDownload(url),
          })
        }
      >
        {download.isPending && <Spinner className="size-4" />}
        Download original
      </Button>
      {download.isError ? (
        <p role="alert" className="max-w-xs text-right text-xs text-destructive">
          {errorMessage(download.error)}
        </p>
      ) : (
        protectedPreview &&
        !released && (
          <p className="max-w-xs text-right text-xs text-muted-foreground">
            A watermarked preview: the original downloads once you approve the work.
          </p>
        )
      )}
      {download.isSuccess && (
        <p role="status" className="text-xs text-muted-foreground">
          Downloading {file.filename}…
        </p>
      )}
    </div>
  );
}
