import { useCallback, useEffect, useId, useMemo, useRef, useState, type DragEvent } from "react";
import { useApi } from "@/api/context";
import { errorMessage, isApiError } from "@/api/errors";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import {
  discardUpload,
  formatBytes,
  isAbortError,
  KIND_FORMATS,
  savedUploadOf,
  savedUploads,
  uploadFile,
  type SavedUpload,
  type Transport,
  type UploadKind,
  type UploadOut,
  type UploadPurpose,
} from "@/lib/upload";
import { cn } from "@/lib/utils";

export type { UploadOut } from "@/lib/upload";

export interface UploaderProps {
  kind: UploadKind;
  /** What the file is for (the API needs it): avatar, portfolio, gig_gallery, deliverable, … */
  purpose: UploadPurpose;
  /** The gig, order, conversation or project the file is for (all purposes but avatar and
   * portfolio need one). */
  targetId?: string | null;
  label: string;
  /** Called once per file, when the API has it (`processing`, then `ready` or `failed`). */
  onUploaded: (upload: UploadOut) => void;
  /** MIME types and extensions for the file picker; default: what the kind takes. */
  accept?: string;
  disabled?: boolean;
  className?: string;
  /** Take several files at once (each uploads on its own). */
  multiple?: boolean;
  /** Where files are sent; default XMLHttpRequest (tests give a fake). */
  transport?: Transport;
}

interface Item {
  key: number;
  file: File;
  status: "uploading" | "done" | "failed";
  loaded: number;
  resumedBytes: number;
  /** The file goes on from an earlier, unfinished upload. */
  resuming: boolean;
  uploadId: string | null;
  error: unknown;
}

const KIND_NAMES: Record<UploadKind, string> = { video: "video", image: "image", document: "PDF" };

function formatsOf(kind: UploadKind): string {
  const names = Object.values(KIND_FORMATS[kind].types).map((extensions) =>
    (extensions[0] ?? "").slice(1).toUpperCase(),
  );
  return `${names.join(", ")} up to ${formatBytes(KIND_FORMATS[kind].maxBytes)}`;
}

function defaultAccept(kind: UploadKind): string {
  const { types } = KIND_FORMATS[kind];
  return [...Object.keys(types), ...Object.values(types).flat()].join(",");
}

/** The API's message, with the limit it names when there is one. */
function failureText(error: unknown): string {
  const message = errorMessage(error);
  if (isApiError(error, "upload_too_large")) {
    const max = (error.details as { max_bytes?: unknown } | null)?.max_bytes;
    if (typeof max === "number") return `${message} The limit is ${formatBytes(max)}.`;
  }
  return message;
}

function percentOf(item: Item): number {
  return item.file.size === 0 ? 100 : Math.round((item.loaded / item.file.size) * 100);
}

let nextKey = 1;

/**
 * Upload files straight to storage: drag and drop or a file button, a progress bar per file,
 * cancel, retry, and resume (a large file picked again after a reload or a dropped connection
 * goes on where it stopped). Shows the API's errors (too large, wrong type, over quota…).
 */
export function Uploader({
  kind,
  purpose,
  targetId = null,
  label,
  onUploaded,
  accept,
  disabled = false,
  className,
  multiple = false,
  transport,
}: UploaderProps) {
  const { client } = useApi();
  const id = useId();
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  // Read again when uploads start, finish or are discarded.
  const [savedVersion, setSavedVersion] = useState(0);
  const controllers = useRef(new Map<number, AbortController>());
  const onUploadedRef = useRef(onUploaded);
  useEffect(() => {
    onUploadedRef.current = onUploaded;
  }, [onUploaded]);

  const target = useMemo(() => ({ kind, purpose, targetId }), [kind, purpose, targetId]);

  // Leaving the page stops the uploads; what multipart uploads sent stays resumable.
  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const controller of running.values()) controller.abort();
    };
  }, []);

  const update = useCallback((key: number, change: Partial<Item>) => {
    setItems((current) =>
      current.map((item) => (item.key === key ? { ...item, ...change } : item)),
    );
  }, []);

  const run = useCallback(
    async (key: number, file: File) => {
      const controller = new AbortController();
      controllers.current.set(key, controller);
      update(key, {
        status: "uploading",
        error: null,
        resuming: savedUploadOf(target, file) !== null,
      });
      try {
        const upload = await uploadFile({
          client,
          ...target,
          file,
          signal: controller.signal,
          transport,
          onProgress: (progress) =>
            update(key, {
              loaded: progress.loaded,
              resumedBytes: progress.resumedBytes,
              uploadId: progress.uploadId,
            }),
        });
        update(key, { status: "done", loaded: file.size, uploadId: upload.id });
        setAnnouncement(`${file.name} uploaded.`);
        onUploadedRef.current(upload);
      } catch (error) {
        if (isAbortError(error)) return; // cancelled: the item is gone already
        update(key, { status: "failed", error });
        setAnnouncement(`${file.name} was not uploaded.`);
      } finally {
        controllers.current.delete(key);
        setSavedVersion((version) => version + 1);
      }
    },
    [client, target, transport, update],
  );

  const addFiles = (files: FileList | null) => {
    if (!files || disabled) return;
    const chosen = multiple ? Array.from(files) : Array.from(files).slice(0, 1);
    for (const file of chosen) {
      const key = nextKey++;
      const item: Item = {
        key,
        file,
        status: "uploading",
        loaded: 0,
        resumedBytes: 0,
        resuming: false,
        uploadId: null,
        error: null,
      };
      setItems((current) => [...current, item]);
      void run(key, file);
    }
  };

  const cancel = (item: Item) => {
    controllers.current.get(item.key)?.abort();
    setItems((current) => current.filter((other) => other.key !== item.key));
    setAnnouncement(`Upload of ${item.file.name} cancelled.`);
    void discardUpload(client, item.uploadId, savedUploadOf(target, item.file)).finally(() =>
      setSavedVersion((version) => version + 1),
    );
  };

  const dismiss = (item: Item) =>
    setItems((current) => current.filter((other) => other.key !== item.key));

  const discardSaved = (saved: SavedUpload) => {
    void discardUpload(client, null, saved).finally(() =>
      setSavedVersion((version) => version + 1),
    );
  };

  const unfinished = useMemo(() => {
    void savedVersion; // read again when it changes
    const active = new Set(items.map((item) => item.uploadId));
    return savedUploads(target).filter((saved) => !active.has(saved.uploadId));
  }, [target, items, savedVersion]);

  const onDrag = (event: DragEvent) => {
    if (disabled) return;
    event.preventDefault();
    setDragging(true);
  };

  const inputId = `${id}-input`;
  const hintId = `${id}-hint`;
  const headingId = `${id}-label`;
  return (
    <div role="group" aria-labelledby={headingId} className={cn("flex flex-col gap-3", className)}>
      <div
        onDragEnter={onDrag}
        onDragOver={onDrag}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          addFiles(event.dataTransfer.files);
        }}
        className={cn(
          "flex flex-col items-center gap-2 rounded-xl border-2 border-dashed p-5 text-center transition-colors",
          dragging ? "border-primary bg-accent" : "border-input",
          disabled && "opacity-60",
        )}
      >
        <p id={headingId} className="font-medium">
          {label}
        </p>
        <p id={hintId} className="text-sm text-muted-foreground">
          Drag {multiple ? `${KIND_NAMES[kind]} files` : `a ${KIND_NAMES[kind]}`} here or choose{" "}
          {multiple ? "them" : "one"}: {formatsOf(kind)}.
        </p>
        <input
          id={inputId}
          type="file"
          className="peer sr-only"
          accept={accept ?? defaultAccept(kind)}
          multiple={multiple}
          disabled={disabled}
          aria-describedby={hintId}
          onChange={(event) => {
            addFiles(event.target.files);
            event.target.value = ""; // the same file may be chosen again (to resume)
          }}
        />
        <label
          htmlFor={inputId}
          className={cn(
            "inline-flex h-9 cursor-pointer items-center justify-center rounded-md border border-input bg-background px-4 text-sm font-medium shadow-sm hover:bg-accent hover:text-accent-foreground peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-ring",
            disabled && "pointer-events-none cursor-not-allowed",
          )}
        >
          {multiple ? "Choose files" : "Choose a file"}
          <span className="sr-only"> for {label}</span>
        </label>
      </div>

      {unfinished.length > 0 && (
        <ul className="flex flex-col gap-2" aria-label={`${label}: unfinished uploads`}>
          {unfinished.map((saved) => (
            <li
              key={saved.uploadId}
              className="flex flex-wrap items-center justify-between gap-2 rounded-md border bg-muted/50 px-3 py-2 text-sm"
            >
              <span>
                <span className="font-medium">{saved.name}</span> stopped at{" "}
                {Object.keys(saved.etags).length} of {saved.partCount} parts. Choose the same file
                to go on.
              </span>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                onClick={() => discardSaved(saved)}
                aria-label={`Discard the unfinished upload of ${saved.name}`}
              >
                Discard
              </Button>
            </li>
          ))}
        </ul>
      )}

      {items.length > 0 && (
        <ul className="flex flex-col gap-2" aria-label={`${label}: files`}>
          {items.map((item) => (
            <UploadRow
              key={item.key}
              item={item}
              onCancel={() => cancel(item)}
              onRetry={() => void run(item.key, item.file)}
              onDismiss={() => dismiss(item)}
            />
          ))}
        </ul>
      )}
      <p role="status" className="sr-only">
        {announcement}
      </p>
    </div>
  );
}

function UploadRow({
  item,
  onCancel,
  onRetry,
  onDismiss,
}: {
  item: Item;
  onCancel: () => void;
  onRetry: () => void;
  onDismiss: () => void;
}) {
  const { file } = item;
  const percent = percentOf(item);
  return (
    <li className="flex flex-col gap-2 rounded-md border px-3 py-2 text-sm">
      <div className="flex items-center justify-between gap-2">
        <span className="min-w-0 truncate font-medium">{file.name}</span>
        <span className="shrink-0 text-muted-foreground">{formatBytes(file.size)}</span>
      </div>
      {item.status === "uploading" && (
        <>
          <Progress value={percent} aria-label={`Uploading ${file.name}`} />
          <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
            <span>
              {item.resuming && item.resumedBytes > 0
                ? `Resumed: ${formatBytes(item.resumedBytes)} were already sent. `
                : item.resuming
                  ? "Resuming… "
                  : ""}
              {percent}% · {formatBytes(item.loaded)} of {formatBytes(file.size)}
            </span>
            <Button
              type="button"
              variant="ghost"
              size="sm"
              onClick={onCancel}
              aria-label={`Cancel uploading ${file.name}`}
            >
              Cancel
            </Button>
          </div>
        </>
      )}
      {item.status === "done" && (
        <div className="flex items-center justify-between gap-2">
          <span className="text-green-700">
            <span aria-hidden="true">✓ </span>Uploaded
          </span>
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={onDismiss}
            aria-label={`Hide ${file.name} from this list`}
          >
            Hide
          </Button>
        </div>
      )}
      {item.status === "failed" && (
        <div className="flex flex-col gap-2">
          <p role="alert" className="text-destructive">
            {failureText(item.error)}
          </p>
          <div className="flex gap-2">
            {isRetryable(item.error) && (
              <Button
                type="button"
                variant="outline"
                size="sm"
                onClick={onRetry}
                aria-label={`Try ${file.name} again`}
              >
                {item.loaded > 0 || item.resuming ? "Resume" : "Try again"}
              </Button>
            )}
            <Button
              type="button"
              variant="ghost"
              size="sm"
              onClick={onDismiss}
              aria-label={`Dismiss ${file.name}`}
            >
              Dismiss
            </Button>
          </div>
        </div>
      )}
    </li>
  );
}

/** Errors about the file itself (its size, type or the quota) will not pass by trying again. */
function isRetryable(error: unknown): boolean {
  if (!isApiError(error)) return true;
  return (
    error.code.startsWith("storage_") ||
    error.status === 0 ||
    error.status === 429 ||
    error.status >= 500
  );
}
