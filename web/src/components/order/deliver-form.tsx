import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { errorMessage } from "@/api/errors";
import {
  useDeliver,
  useUploadStates,
  type DeliverableOut,
  type OrderDetail,
  type UploadOut,
} from "@/api/orders";
import { FormAlert, SubmitButton, TextareaField } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Uploader } from "@/components/uploader";
import { AddressedComments } from "@/components/review/addressed-comments";
import { defaultAddressed } from "@/components/review/review-hooks";
import { UploadSpecCheck } from "@/components/review/upload-spec-check";
import { formatBytes } from "./deliveries-model";

/** The API's DeliverRequest message: 1 to 5,000 characters once trimmed. */
const deliverSchema = z.object({
  message: z
    .string()
    .trim()
    .min(1, "Tell the client what you are delivering.")
    .max(5000, "Keep it under 5,000 characters."),
});
type DeliverValues = z.infer<typeof deliverSchema>;

const MAX_FILES = 20; // DeliverRequest.deliverables
const TITLE_CHARS = 200; // DeliverableIn.title

function uploadStateText(upload: UploadOut): string {
  if (upload.state === "ready") return "Ready";
  if (upload.state === "failed")
    return `Failed: ${upload.failure_reason ?? "it could not be processed"}`;
  return "Processing…";
}

/** The creator's hand-over: a message and files uploaded for this order (each must be processed
 * before it can be delivered). */
export function DeliverForm({
  order,
  drafts,
}: {
  order: OrderDetail;
  /** Files added earlier for the next delivery: they go with it. */
  drafts: DeliverableOut[];
}) {
  const deliver = useDeliver(order.id);
  const [uploads, setUploads] = useState<UploadOut[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [addressed, setAddressed] = useState<string[]>(() => defaultAddressed(order));
  const states = useUploadStates(uploads);
  const current = uploads.map((upload, index) => states[index]?.data ?? upload);
  const processing = current.some(
    (upload) => upload.state !== "ready" && upload.state !== "failed",
  );
  const form = useForm<DeliverValues>({
    resolver: zodResolver(deliverSchema),
    defaultValues: { message: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ message }) => {
    setFailure(null);
    const ready = current.filter((upload) => upload.state === "ready");
    if (ready.length + drafts.length === 0) {
      setFailure("Add at least one file to deliver.");
      return;
    }
    if (ready.length < current.length) {
      setFailure(
        processing
          ? "Wait until every file is processed, then deliver."
          : "Remove the files that failed, then deliver.",
      );
      return;
    }
    try {
      await deliver.mutateAsync({
        message,
        deliverables: ready.map((upload) => ({
          upload_id: upload.id,
          title: upload.filename.slice(0, TITLE_CHARS),
        })),
        addresses_comment_ids: addressed,
      });
      setUploads([]);
      setAddressed([]);
      form.reset();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  const add = (upload: UploadOut) =>
    setUploads((list) => (list.some((item) => item.id === upload.id) ? list : [...list, upload]));
  const full = uploads.length >= MAX_FILES;

  return (
    <form noValidate onSubmit={submit} aria-label="Deliver work" className="flex flex-col gap-4">
      <FormAlert message={failure} />
      <TextareaField
        label="Message to the client"
        maxLength={5000}
        error={errors.message?.message}
        {...form.register("message")}
      />
      <div className="grid gap-4 md:grid-cols-2">
        <Uploader
          kind="video"
          label="Add a video"
          purpose="deliverable"
          targetId={order.id}
          onUploaded={add}
          disabled={full}
          multiple
        />
        <Uploader
          kind="document"
          label="Add a document (PDF)"
          purpose="deliverable"
          targetId={order.id}
          onUploaded={add}
          disabled={full}
          multiple
        />
      </div>
      {(current.length > 0 || drafts.length > 0) && (
        <ul className="flex flex-col divide-y rounded-md border" aria-label="Files to deliver">
          {drafts.map((draft) => (
            <li
              key={draft.id}
              className="flex items-center justify-between gap-3 px-3 py-2 text-sm"
            >
              <span className="truncate">{draft.title}</span>
              <span className="text-muted-foreground">Added earlier</span>
            </li>
          ))}
          {current.map((upload) => (
            <li
              key={upload.id}
              className="flex flex-wrap items-center justify-between gap-3 px-3 py-2 text-sm"
            >
              <span className="min-w-0 truncate">
                {upload.filename}{" "}
                <span className="text-muted-foreground">({formatBytes(upload.size)})</span>
              </span>
              <span className="flex items-center gap-3">
                <span
                  className={
                    upload.state === "failed" ? "text-destructive" : "text-muted-foreground"
                  }
                >
                  {upload.state === "processing" && <Spinner className="mr-1 size-3" />}
                  {uploadStateText(upload)}
                </span>
                {upload.kind === "video" && upload.state === "ready" && (
                  <UploadSpecCheck upload={upload} />
                )}
                <Button
                  type="button"
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove ${upload.filename}`}
                  onClick={() => setUploads((list) => list.filter((item) => item.id !== upload.id))}
                >
                  Remove
                </Button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <AddressedComments order={order} value={addressed} onChange={setAddressed} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton busy={isSubmitting}>Deliver work</SubmitButton>
        {processing && (
          <p className="text-sm text-muted-foreground">
            Your files are being processed; you can deliver once they are ready.
          </p>
        )}
      </div>
    </form>
  );
}
