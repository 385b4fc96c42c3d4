import { useEffect, useRef, useState, type ReactNode } from "react";
import { Link } from "react-router";
import type { GigSummary } from "@/api/queries";
import { RatingBadge } from "@/components/stars";
import { Avatar } from "@/components/avatar";
import { Skeleton } from "@/components/ui/skeleton";
import { VerifiedBadge } from "@/components/verified-badge";
import { formatMoney, levelLabel } from "@/lib/format";
import { cn } from "@/lib/utils";

function prefersReducedMotion(): boolean {
  return (
    typeof window.matchMedia === "function" &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches
  );
}

/** A gig's video preview: plays muted while the card is pointed at or focused (not with
 * reduced motion), stops and rewinds when left. The video loads only when first played. */
function usePreview(url: string | null) {
  const video = useRef<HTMLVideoElement>(null);
  const [playing, setPlaying] = useState(false);
  const [loaded, setLoaded] = useState(false); // the src is set on the first play only

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    if (playing) {
      void element.play()?.catch(() => undefined);
    } else if (!element.paused || element.currentTime > 0) {
      element.pause();
      element.currentTime = 0;
    }
  }, [playing]);

  const start = () => {
    if (!url || prefersReducedMotion()) return;
    setLoaded(true);
    setPlaying(true);
  };
  const stop = () => setPlaying(false);
  const handlers = { onPointerEnter: start, onPointerLeave: stop, onFocus: start, onBlur: stop };
  return { video, playing, loaded, handlers };
}

export function GigCard({ gig }: { gig: GigSummary }) {
  const { video, playing, loaded, handlers } = usePreview(gig.video_preview_url);

  return (
    <article
      className="group relative flex flex-col rounded-xl border bg-card shadow-sm transition-shadow focus-within:shadow-md hover:shadow-md"
      {...handlers}
    >
      <div className="relative aspect-video overflow-hidden rounded-t-xl bg-muted">
        {gig.thumbnail_url ? (
          <img
            src={gig.thumbnail_url}
            alt=""
            width={640}
            height={360}
            loading="lazy"
            decoding="async"
            className="size-full object-cover"
          />
        ) : (
          <div
            aria-hidden="true"
            className="flex size-full items-center justify-center text-3xl text-muted-foreground"
          >
            ▶
          </div>
        )}
        {gig.video_preview_url && (
          <video
            ref={video}
            data-testid="gig-preview"
            data-playing={playing}
            src={loaded ? gig.video_preview_url : undefined}
            muted
            loop
            playsInline
            preload="none"
            aria-hidden="true"
            tabIndex={-1}
            className={cn(
              "absolute inset-0 size-full object-cover transition-opacity duration-200",
              playing ? "opacity-100" : "opacity-0",
            )}
          />
        )}
        {gig.is_featured && (
          <span className="absolute top-2 left-2 rounded-full bg-background/90 px-2 py-0.5 text-xs font-medium">
            Featured
          </span>
        )}
      </div>
      <div className="flex flex-1 flex-col gap-2 p-4">
        <p className="flex items-center gap-2 text-sm text-muted-foreground">
          <Avatar
            name={gig.creator.full_name}
            url={gig.creator.avatar_url}
            className="size-6 text-xs"
          />
          <span className="truncate">{gig.creator.full_name}</span>
          <VerifiedBadge verified={gig.creator.is_verified} className="[&>span]:sr-only" />
          <span className="ml-auto shrink-0 text-xs">{levelLabel(gig.creator_level)}</span>
        </p>
        <h3 className="line-clamp-2 font-medium">
          <Link
            to={`/gigs/${gig.slug}`}
            className="after:absolute after:inset-0 after:rounded-xl focus-visible:outline-none"
          >
            {gig.title}
          </Link>
        </h3>
        <div className="mt-auto flex items-center justify-between gap-2 pt-1">
          <RatingBadge rating={gig.stats.rating} reviews={gig.stats.total_reviews} />
          {gig.price_from && (
            <span className="text-sm">
              <span className="text-muted-foreground">From </span>
              <span className="font-semibold">{formatMoney(gig.price_from)}</span>
            </span>
          )}
        </div>
      </div>
    </article>
  );
}

export function GigCardSkeleton() {
  return (
    <div className="flex flex-col rounded-xl border" aria-hidden="true">
      <Skeleton className="aspect-video rounded-b-none rounded-t-xl" />
      <div className="flex flex-col gap-2 p-4">
        <Skeleton className="h-4 w-1/2" />
        <Skeleton className="h-5 w-full" />
        <Skeleton className="h-4 w-1/3" />
      </div>
    </div>
  );
}

export function GigGrid({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div
      role={label ? "group" : undefined}
      aria-label={label}
      className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4"
    >
      {children}
    </div>
  );
}
