import { useId } from "react";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { formatBytes } from "@/lib/upload";
import { cn } from "@/lib/utils";
import { ACCEPT, TAKEN_FILES, type Attachment } from "./use-message-attachment";

/** The composer's "Attach" button: a file picker for what a message takes. */
export function AttachButton({
  onPick,
  disabled = false,
}: {
  onPick: (file: File) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <>
      <input
        id={id}
        type="file"
        className="peer sr-only"
        accept={ACCEPT}
        disabled={disabled}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = ""; // the same file may be chosen again
          if (file) onPick(file);
        }}
      />
      <label
        htmlFor={id}
        title={`Attach ${TAKEN_FILES}`}
        className={cn(
          "inline-flex h-9 cursor-pointer items-center justify-center rounded-md border border-input bg-background px-3 text-sm font-medium shadow-sm hover:bg-accent hover:text-accent-foreground peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-ring",
          disabled && "pointer-events-none cursor-not-allowed opacity-50",
        )}
      >
        Attach<span className="sr-only"> a file</span>
      </label>
    </>
  );
}

/** Where the attachment stands, above the composer, with a way to drop it. */
export function AttachmentStatus({
  attachment,
  onRemove,
}: {
  attachment: Attachment;
  onRemove: () => void;
}) {
  const { file } = attachment;
  const percent =
    attachment.status === "uploading" && file.size > 0
      ? Math.round((attachment.loaded / file.size) * 100)
      : 100;
  return (
    <div className="flex flex-col gap-2 rounded-md border px-3 py-2 text-sm" aria-live="polite">
      <div className="flex items-center justify-between gap-2">
        <span className="min-w-0 truncate font-medium">{file.name}</span>
        <span className="flex shrink-0 items-center gap-2 text-xs text-muted-foreground">
          {formatBytes(file.size)}
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={onRemove}
            aria-label={`Remove ${file.name}`}
          >
            {attachment.status === "uploading" ? "Cancel" : "Remove"}
          </Button>
        </span>
      </div>
      {attachment.status === "uploading" && (
        <>
          <Progress value={percent} aria-label={`Uploading ${file.name}`} />
          <span className="text-xs text-muted-foreground">{percent}% uploaded</span>
        </>
      )}
      {attachment.status === "processing" && (
        <span className="flex items-center gap-2 text-xs text-muted-foreground">
          <Spinner className="size-4" /> Preparing {file.name}…
        </span>
      )}
      {attachment.status === "ready" && (
        <span className="text-xs text-green-700">
          <span aria-hidden="true">✓ </span>Ready to send
        </span>
      )}
      {attachment.status === "failed" && (
        <p role="alert" className="text-destructive">
          {attachment.message}
        </p>
      )}
    </div>
  );
}
