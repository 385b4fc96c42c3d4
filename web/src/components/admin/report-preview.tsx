import { Link } from "react-router";
import type { ReportItem } from "@/api/admin";
import { Stars } from "@/components/stars";

const link = "font-medium text-primary underline-offset-4 hover:underline";

/** What was reported, as the reporter saw it, with a link to it where it has a page. */
export function ReportPreview({ report }: { report: ReportItem }) {
  const preview = report.preview;
  if (preview === null || !report.target_exists) {
    return <p className="text-sm text-muted-foreground italic">The reported content is deleted.</p>;
  }
  const box = "rounded-lg border bg-muted/40 p-3 text-sm";
  switch (preview.kind) {
    case "message":
      return (
        <figure className={box}>
          <figcaption className="mb-1 text-xs text-muted-foreground">
            Message from @{preview.sender.username}
            {preview.deleted && " (deleted by its sender)"}
          </figcaption>
          <blockquote className="whitespace-pre-wrap">{preview.text}</blockquote>
        </figure>
      );
    case "review":
      return (
        <figure className={box}>
          <figcaption className="mb-1 flex items-center gap-2 text-xs text-muted-foreground">
            Review by @{preview.author.username}
            <Stars rating={preview.rating} />
          </figcaption>
          <blockquote className="whitespace-pre-wrap">{preview.text}</blockquote>
        </figure>
      );
    case "gig":
      return (
        <div className={box}>
          <p className="text-xs text-muted-foreground">Gig by @{preview.creator.username}</p>
          <Link to={`/gigs/${preview.slug}`} className={link}>
            {preview.title}
          </Link>
        </div>
      );
    case "user":
      return (
        <div className={box}>
          <p className="text-xs text-muted-foreground">Profile</p>
          <Link to={`/creators/${report.target_id}`} className={link}>
            {preview.full_name} (@{preview.username})
          </Link>
          {preview.bio && <p className="mt-1 whitespace-pre-wrap">{preview.bio}</p>}
        </div>
      );
    case "project":
      return (
        <div className={box}>
          <p className="text-xs text-muted-foreground">Project by @{preview.client.username}</p>
          <p className="font-medium">{preview.title}</p>
        </div>
      );
  }
}
