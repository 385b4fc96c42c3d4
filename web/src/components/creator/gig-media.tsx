import { useEffect, useRef, useState } from "react";
import { useGigMediaChange } from "@/api/creator";
import type { GigOut } from "@/api/queries";
import { useUpload, type UploadOut } from "@/api/uploads";
import { FormAlert } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Uploader } from "@/components/uploader";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/api/errors";
import { MAX_GALLERY } from "./gig-form";

interface Processing {
  id: string;
  filename: string;
  role: "gallery" | "preview";
}

/** Waits for the API to finish processing an upload, then hands it on (once). */
function ProcessingUpload({
  item,
  onReady,
  onDismiss,
}: {
  item: Processing;
  onReady: (upload: UploadOut) => void;
  onDismiss: () => void;
}) {
  const upload = useUpload(item.id, { poll: true });
  const handed = useRef(false);
  const state = upload.data?.state;
  useEffect(() => {
    if (state === "ready" && upload.data && !handed.current) {
      handed.current = true;
      onReady(upload.data);
    }
  }, [state, upload.data, onReady]);

  if (state === "failed" || upload.isError) {
    return (
      <li className="flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2 text-sm">
        <span className="text-destructive">
          {item.filename} could not be used:{" "}
          {upload.data?.failure_reason ?? errorMessage(upload.error)}
        </span>
        <Button type="button" variant="ghost" size="sm" onClick={onDismiss}>
          Dismiss
        </Button>
      </li>
    );
  }
  return (
    <li className="flex items-center gap-2 rounded-md border px-3 py-2 text-sm text-muted-foreground">
      <Spinner className="size-4" />
      {item.filename}: processing… it is added to the gig when it is ready.
    </li>
  );
}

function uploadIds(gig: GigOut): string[] {
  return gig.gallery_uploads.map((upload) => upload.upload_id);
}

function linksOf(gig: GigOut): string[] {
  const uploaded = new Set(gig.gallery_uploads.map((upload) => upload.url));
  return gig.gallery_urls.filter((url) => !uploaded.has(url));
}

/**
 * The gig's gallery and preview video. Files are uploaded for the gig (purpose gig_gallery) and
 * join it once the API has processed them; each change is saved at once (PUT /v1/gigs/{gig}).
 */
export function GigMedia({ gig }: { gig: GigOut }) {
  const change = useGigMediaChange(gig.id);
  const [processing, setProcessing] = useState<Processing[]>([]);
  const uploads = new Map(gig.gallery_uploads.map((upload) => [upload.url, upload]));
  const waitingForGallery = processing.filter((item) => item.role === "gallery").length;
  const galleryFull = gig.gallery_urls.length + waitingForGallery >= MAX_GALLERY;

  const finish = (id: string) =>
    setProcessing((current) => current.filter((item) => item.id !== id));
  const add = (role: Processing["role"]) => (upload: UploadOut) =>
    setProcessing((current) => [...current, { id: upload.id, filename: upload.filename, role }]);
  const attach = (item: Processing) => (upload: UploadOut) =>
    change.mutate(
      (current) =>
        item.role === "gallery"
          ? { gallery_upload_ids: [...uploadIds(current), upload.id] }
          : { video_preview_upload_id: upload.id },
      { onSettled: () => finish(item.id) },
    );

  const removeFromGallery = (url: string) => {
    const upload = uploads.get(url);
    change.mutate((current) =>
      upload
        ? { gallery_upload_ids: uploadIds(current).filter((id) => id !== upload.upload_id) }
        : { gallery_urls: linksOf(current).filter((link) => link !== url) },
    );
  };
  const removePreview = () =>
    change.mutate((current) =>
      current.video_preview_upload_id
        ? { video_preview_upload_id: null }
        : { video_preview_url: null },
    );

  return (
    <section aria-labelledby="gig-media" className="flex flex-col gap-6">
      <div>
        <h2 id="gig-media" className="text-lg font-semibold">
          Pictures and video
        </h2>
        <p className="text-sm text-muted-foreground">
          Changes here are saved straight away. Up to {MAX_GALLERY} pictures and clips.
        </p>
      </div>
      <FormAlert message={change.isError ? errorMessage(change.error) : null} />

      <div className="flex flex-col gap-3">
        <h3 className="font-medium">Gallery</h3>
        {gig.gallery_urls.length === 0 ? (
          <p className="text-sm text-muted-foreground">No pictures yet.</p>
        ) : (
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
            {gig.gallery_urls.map((url, index) => {
              const upload = uploads.get(url);
              const what = upload?.kind === "video" ? "clip" : "picture";
              return (
                <li key={url} className="flex flex-col gap-1.5">
                  <img
                    src={upload?.thumbnail_url ?? url}
                    alt={`Gallery ${what} ${index + 1}`}
                    loading="lazy"
                    className="aspect-[4/3] w-full rounded-md bg-muted object-cover"
                  />
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    disabled={change.isPending}
                    onClick={() => removeFromGallery(url)}
                    aria-label={`Remove gallery ${what} ${index + 1}`}
                  >
                    Remove
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
        <Uploader
          kind="image"
          purpose="gig_gallery"
          targetId={gig.id}
          label="Add pictures"
          multiple
          disabled={galleryFull}
          onUploaded={add("gallery")}
        />
        {galleryFull && (
          <p className="text-sm text-muted-foreground">
            The gallery is full: remove a picture to add another.
          </p>
        )}
      </div>

      <div className="flex flex-col gap-3">
        <h3 className="font-medium">Preview video</h3>
        {gig.video_preview_url ? (
          <div className="flex flex-col gap-2 sm:max-w-md">
            <video
              src={gig.video_preview_url}
              poster={gig.thumbnail_url ?? undefined}
              controls
              muted
              playsInline
              preload="metadata"
              aria-label="The gig's preview video"
              className="aspect-video w-full rounded-md bg-black"
            />
            <Button
              type="button"
              variant="outline"
              size="sm"
              disabled={change.isPending}
              onClick={removePreview}
              className="self-start"
            >
              Remove the preview video
            </Button>
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">
            No preview video yet: the gig page shows a 10-second muted clip of the video you upload.
          </p>
        )}
        <Uploader
          kind="video"
          purpose="gig_gallery"
          targetId={gig.id}
          label={gig.video_preview_url ? "Replace the preview video" : "Upload a preview video"}
          onUploaded={add("preview")}
        />
      </div>

      {processing.length > 0 && (
        <ul className="flex flex-col gap-2" aria-label="Files being processed">
          {processing.map((item) => (
            <ProcessingUpload
              key={item.id}
              item={item}
              onReady={attach(item)}
              onDismiss={() => finish(item.id)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
