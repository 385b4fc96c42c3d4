/** The chat composer's attachment: a file uploaded for the conversation (purpose
 * `message_attachment`), followed until the API has processed it. */
import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "@/api/context";
import { errorMessage, isApiError } from "@/api/errors";
import { useUpload } from "@/api/uploads";
import {
  discardUpload,
  formatBytes,
  isAbortError,
  KIND_FORMATS,
  uploadFile,
  type Transport,
  type UploadKind,
  type UploadOut,
} from "@/lib/upload";

/** A file on its way into a message: sent to storage, then processed by the API, then ready
 * to go with the next message (or refused, with the reason). */
export type Attachment =
  | { status: "uploading"; file: File; loaded: number }
  | { status: "processing"; file: File; upload: UploadOut }
  | { status: "ready"; file: File; upload: UploadOut }
  | { status: "failed"; file: File; message: string };

const KINDS: UploadKind[] = ["video", "image", "document"];

/** The kind the API files this under (by its MIME type, or its name when the browser gave none). */
export function kindOfFile(file: File): UploadKind | null {
  const name = file.name.toLowerCase();
  for (const kind of KINDS) {
    const { types } = KIND_FORMATS[kind];
    if (
      file.type
        ? file.type in types
        : Object.values(types)
            .flat()
            .some((ext) => name.endsWith(ext))
    )
      return kind;
  }
  return null;
}

export const ACCEPT = KINDS.flatMap((kind) => {
  const { types } = KIND_FORMATS[kind];
  return [...Object.keys(types), ...Object.values(types).flat()];
}).join(",");

function formatsOf(kind: UploadKind): string {
  return Object.values(KIND_FORMATS[kind].types)
    .map((extensions) => (extensions[0] ?? "").slice(1).toUpperCase())
    .join(", ");
}

export const TAKEN_FILES = `a video (${formatsOf("video")}), an image (${formatsOf("image")}) or a PDF`;

/** The API's refusal, with the limit when it names one. */
function refusal(error: unknown): string {
  const message = errorMessage(error);
  if (isApiError(error, "upload_too_large")) {
    const max = (error.details as { max_bytes?: unknown } | null)?.max_bytes;
    if (typeof max === "number") return `${message} The limit is ${formatBytes(max)}.`;
  }
  return message;
}

/** The attachment as the API's latest look at its upload says. */
function settled(attachment: Attachment | null, upload: UploadOut | undefined): Attachment | null {
  if (attachment?.status !== "processing" || upload?.id !== attachment.upload.id) return attachment;
  if (upload.state === "ready") return { ...attachment, status: "ready", upload };
  if (upload.state === "failed") {
    const message = upload.failure_reason ?? "The file could not be processed.";
    return { status: "failed", file: attachment.file, message };
  }
  return attachment;
}

/** The composer's attachment: `pick` uploads a file for the conversation (one at a time), it
 * becomes `ready` once the API has processed it; `clear` drops it (deleting an unsent upload),
 * `sent` forgets it once a message carries it. */
export function useMessageAttachment(conversationId: string, transport?: Transport) {
  const { client } = useApi();
  const [picked, setAttachment] = useState<Attachment | null>(null);
  const controller = useRef<AbortController | null>(null);

  // Leaving the conversation stops an upload still running.
  useEffect(() => () => controller.current?.abort(), []);

  // While the API processes the file, its state is read again until it is ready or failed.
  const processingId = picked?.status === "processing" ? picked.upload.id : null;
  const processed = useUpload(processingId, { poll: true }).data;
  const attachment = settled(picked, processed);

  const uploadOf = (current: Attachment | null) =>
    current && (current.status === "processing" || current.status === "ready")
      ? current.upload.id
      : null;

  const pick = useCallback(
    async (file: File) => {
      controller.current?.abort();
      const unsent = uploadOf(attachment);
      if (unsent) void discardUpload(client, unsent, null);
      const kind = kindOfFile(file);
      if (!kind) {
        setAttachment({
          status: "failed",
          file,
          message: `${file.name} cannot be sent: attach ${TAKEN_FILES}.`,
        });
        return;
      }
      const running = new AbortController();
      controller.current = running;
      setAttachment({ status: "uploading", file, loaded: 0 });
      try {
        const upload = await uploadFile({
          client,
          kind,
          purpose: "message_attachment",
          targetId: conversationId,
          file,
          signal: running.signal,
          transport,
          onProgress: ({ loaded }) =>
            setAttachment((current) =>
              current?.status === "uploading" && current.file === file
                ? { ...current, loaded }
                : current,
            ),
        });
        if (upload.state === "failed") {
          const message = upload.failure_reason ?? "The file could not be processed.";
          setAttachment({ status: "failed", file, message });
        } else {
          setAttachment({
            status: upload.state === "ready" ? "ready" : "processing",
            file,
            upload,
          });
        }
      } catch (error) {
        if (isAbortError(error)) return;
        setAttachment({ status: "failed", file, message: refusal(error) });
      } finally {
        if (controller.current === running) controller.current = null;
      }
    },
    [attachment, client, conversationId, transport],
  );

  const clear = useCallback(() => {
    controller.current?.abort();
    const unsent = uploadOf(attachment);
    if (unsent) void discardUpload(client, unsent, null);
    setAttachment(null);
  }, [attachment, client]);

  const sent = useCallback(() => setAttachment(null), []);

  const busy = attachment?.status === "uploading" || attachment?.status === "processing";
  const readyUpload = attachment?.status === "ready" ? attachment.upload : null;
  return { attachment, pick, clear, sent, busy, readyUpload };
}
