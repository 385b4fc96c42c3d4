import { useEffect, useRef, useState } from "react";
import { errorMessage } from "@/api/errors";
import { useUpdateProject, type ProjectOut } from "@/api/projects";
import { useUpload, type UploadOut } from "@/api/uploads";
import { FormAlert } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Uploader } from "@/components/uploader";
import { formatBytes } from "@/lib/upload";

type AttachedFile = ProjectOut["attachment_files"][number];

/** The project's files, as links (their URLs are signed for the viewer). */
export function AttachmentList({
  files,
  onRemove,
  removing,
}: {
  files: AttachedFile[];
  onRemove?: (uploadId: string) => void;
  removing?: boolean;
}) {
  if (files.length === 0) return <p className="text-sm text-muted-foreground">No files.</p>;
  return (
    <ul aria-label="Attachments" className="flex flex-col gap-2">
      {files.map((file) => (
        <li
          key={file.upload_id}
          className="flex items-center justify-between gap-3 rounded-md border px-3 py-2 text-sm"
        >
          <a
            href={file.file.url}
            target="_blank"
            rel="noreferrer"
            className="min-w-0 truncate font-medium text-primary underline underline-offset-4"
          >
            {file.filename}
          </a>
          <span className="flex shrink-0 items-center gap-2 text-xs text-muted-foreground">
            {formatBytes(file.size)}
            {onRemove && (
              <Button
                variant="ghost"
                size="sm"
                disabled={removing}
                onClick={() => onRemove(file.upload_id)}
                aria-label={`Remove ${file.filename}`}
              >
                Remove
              </Button>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A file the API is still processing: attached once it is ready. */
function Pending({
  upload,
  onReady,
  onFailed,
}: {
  upload: UploadOut;
  onReady: (id: string) => void;
  onFailed: (id: string, reason: string) => void;
}) {
  const state = useUpload(upload.id, { poll: true });
  const current = state.data ?? upload;
  const done = useRef(false);
  useEffect(() => {
    if (done.current) return;
    if (current.state === "ready") {
      done.current = true;
      onReady(current.id);
    } else if (current.state === "failed") {
      done.current = true;
      onFailed(current.id, current.failure_reason ?? "The file could not be processed.");
    }
  }, [current, onReady, onFailed]);
  return (
    <li className="flex items-center gap-2 text-sm text-muted-foreground">
      <Spinner className="size-4" /> Preparing {upload.filename}…
    </li>
  );
}

/** The owner adds files to an open project (uploaded for it, then attached), or removes them. */
export function ProjectAttachments({ project }: { project: ProjectOut }) {
  const update = useUpdateProject(project.id);
  const [pending, setPending] = useState<UploadOut[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  // The latest list, for attachments finishing one after the other.
  const latest = useRef(project);
  useEffect(() => {
    latest.current = project;
  }, [project]);

  const idsNow = () => latest.current.attachment_files.map((file) => file.upload_id);

  async function save(ids: string[]) {
    setFailure(null);
    try {
      latest.current = await update.mutateAsync({ attachment_upload_ids: ids });
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  const onReady = (id: string) => {
    setPending((items) => items.filter((item) => item.id !== id));
    void save([...idsNow().filter((item) => item !== id), id]);
  };
  const onFailed = (id: string, reason: string) => {
    setPending((items) => items.filter((item) => item.id !== id));
    setFailure(reason);
  };

  return (
    <div className="flex flex-col gap-3">
      <AttachmentList
        files={project.attachment_files}
        removing={update.isPending}
        onRemove={(id) => void save(idsNow().filter((item) => item !== id))}
      />
      {pending.length > 0 && (
        <ul className="flex flex-col gap-1" aria-live="polite">
          {pending.map((upload) => (
            <Pending key={upload.id} upload={upload} onReady={onReady} onFailed={onFailed} />
          ))}
        </ul>
      )}
      <FormAlert message={failure} />
      <div className="grid gap-3 md:grid-cols-2">
        <Uploader
          kind="document"
          purpose="project_attachment"
          targetId={project.id}
          label="Add a PDF (a brief, a script)"
          multiple
          onUploaded={(upload) =>
            upload.state === "ready"
              ? onReady(upload.id)
              : setPending((items) => [...items.filter((item) => item.id !== upload.id), upload])
          }
        />
        <Uploader
          kind="image"
          purpose="project_attachment"
          targetId={project.id}
          label="Add an image (a mood board, a storyboard)"
          multiple
          onUploaded={(upload) =>
            upload.state === "ready"
              ? onReady(upload.id)
              : setPending((items) => [...items.filter((item) => item.id !== upload.id), upload])
          }
        />
      </div>
    </div>
  );
}
