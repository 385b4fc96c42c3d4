import type { MessageOut } from "@/api/messages";
import { formatBytes } from "@/lib/upload";
import { cn } from "@/lib/utils";

type AttachedFile = NonNullable<MessageOut["attachment"]>;

/** A file sent in a message, as its kind shows best: an image's thumbnail (opening the full
 * image), a video player, or a link to the document. Its URLs are signed for the viewer. */
export function MessageAttachment({ file, mine }: { file: AttachedFile; mine: boolean }) {
  const link = cn("underline underline-offset-4", mine && "text-primary-foreground");
  if (file.kind === "image") {
    const thumbnail = file.derived.thumbnail?.url ?? file.file.url;
    return (
      <a href={file.file.url} target="_blank" rel="noreferrer noopener" className="block">
        <img
          src={thumbnail}
          alt={file.filename}
          className="max-h-60 max-w-full rounded-lg object-contain"
          loading="lazy"
        />
      </a>
    );
  }
  if (file.kind === "video") {
    return (
      <div className="flex flex-col gap-1">
        <video
          controls
          preload="metadata"
          poster={file.derived.poster?.url}
          src={file.file.url}
          aria-label={file.filename}
          className="max-h-72 max-w-full rounded-lg bg-black"
        />
        <a href={file.file.url} target="_blank" rel="noreferrer noopener" className={link}>
          {file.filename}
        </a>
      </div>
    );
  }
  return (
    <a href={file.file.url} target="_blank" rel="noreferrer noopener" className={link}>
      <span aria-hidden="true">📄 </span>
      {file.filename} <span className="text-xs">({formatBytes(file.size)})</span>
    </a>
  );
}
