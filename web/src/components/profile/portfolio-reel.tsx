import { useState, type KeyboardEvent, type PointerEvent } from "react";
import { usePortfolio, type PortfolioItem } from "@/api/queries";
import { useUpload } from "@/api/uploads";
import { EmptyState, ErrorState } from "@/components/states";
import { StreamVideo } from "@/components/stream-video";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDuration } from "@/lib/format";
import { cn } from "@/lib/utils";
import { storyboardOf, tileAt, tileStyle } from "./storyboard";

const VIDEO_FILE = /\.(mp4|m4v|webm|mov|ogv)(\?|#|$)/i;

/** An uploaded video, or a link straight to a video file, plays here; a link to a page (Vimeo,
 * YouTube) opens there. */
function playsHere(item: PortfolioItem): boolean {
  return item.upload_id !== null || VIDEO_FILE.test(item.video_url);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return "the web";
  }
}

function PlayIcon() {
  return (
    <span
      aria-hidden="true"
      className="absolute inset-0 m-auto flex size-12 items-center justify-center rounded-full bg-black/60 text-white"
    >
      <svg viewBox="0 0 24 24" className="ml-0.5 size-6" fill="currentColor">
        <path d="M8 5v14l11-7z" />
      </svg>
    </span>
  );
}

/**
 * One video of the reel. Pointing at it (or focusing it) loads the upload's storyboard: the
 * pointer's x position, or ← and →, picks the frame shown; a click plays the video.
 */
function ReelItem({ item }: { item: PortfolioItem }) {
  const [engaged, setEngaged] = useState(false);
  const [tile, setTile] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const upload = useUpload(engaged ? item.upload_id : null);
  const storyboard = storyboardOf(upload.data?.derived, item.duration_seconds);
  const poster = item.poster_url ?? item.thumbnail_url;

  const scrub = (event: PointerEvent<HTMLElement>) => {
    if (!storyboard) return;
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width > 0) setTile(tileAt(storyboard, (event.clientX - box.left) / box.width));
  };
  const step = (event: KeyboardEvent<HTMLElement>) => {
    if (!storyboard || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    event.preventDefault();
    const next = (tile ?? 0) + (event.key === "ArrowRight" ? 1 : -1);
    setTile(Math.min(storyboard.tiles - 1, Math.max(0, next)));
  };

  let media;
  if (playing) {
    media = (
      <StreamVideo
        src={item.stream_url ?? item.video_url}
        fallback={item.video_url}
        poster={poster ?? undefined}
        controls
        autoPlay
        playsInline
        aria-label={item.title}
        className="size-full bg-black object-contain"
      />
    );
  } else {
    const picture = (
      <>
        {poster ? (
          <img src={poster} alt="" loading="lazy" className="size-full object-cover" />
        ) : (
          <span className="flex size-full items-center justify-center text-muted-foreground">
            No preview
          </span>
        )}
        {storyboard && tile !== null && (
          <span
            aria-hidden="true"
            data-testid="storyboard"
            data-tile={tile}
            className="absolute inset-0"
            style={tileStyle(storyboard, tile)}
          />
        )}
        {storyboard && tile !== null && storyboard.intervalSeconds > 0 && (
          <span
            aria-hidden="true"
            className="absolute right-2 bottom-2 rounded bg-black/70 px-1.5 py-0.5 text-xs text-white"
          >
            {formatDuration(tile * storyboard.intervalSeconds)}
          </span>
        )}
        <PlayIcon />
      </>
    );
    const handlers = {
      onPointerEnter: () => setEngaged(true),
      onPointerMove: scrub,
      onPointerLeave: () => setTile(null),
      onFocus: () => {
        setEngaged(true);
        setTile(0);
      },
      onBlur: () => setTile(null),
      onKeyDown: step,
    };
    media = playsHere(item) ? (
      <button
        type="button"
        aria-label={`Play ${item.title}`}
        onClick={() => setPlaying(true)}
        className="relative block size-full"
        {...handlers}
      >
        {picture}
      </button>
    ) : (
      <a
        href={item.video_url}
        target="_blank"
        rel="noopener noreferrer nofollow"
        aria-label={`Watch ${item.title} on ${hostOf(item.video_url)} (opens in a new tab)`}
        className="relative block size-full"
        {...handlers}
      >
        {picture}
      </a>
    );
  }

  return (
    <figure className="flex flex-col gap-2">
      <div
        className={cn(
          "relative aspect-video overflow-hidden rounded-xl bg-muted",
          item.is_highlight && "ring-2 ring-primary",
        )}
      >
        {media}
      </div>
      <figcaption className="flex flex-col gap-0.5">
        <span className="flex items-center gap-2 font-medium">
          {item.title}
          {item.duration_seconds !== null && (
            <span className="text-xs font-normal text-muted-foreground">
              {formatDuration(item.duration_seconds)}
            </span>
          )}
        </span>
        {item.description && (
          <span className="line-clamp-2 text-sm text-muted-foreground">{item.description}</span>
        )}
      </figcaption>
    </figure>
  );
}

/** A creator's portfolio videos, highlights first (then in their chosen order). */
export function PortfolioReel({ userId }: { userId: string }) {
  const portfolio = usePortfolio(userId);
  return (
    <section aria-labelledby="portfolio" className="flex flex-col gap-4">
      <h2 id="portfolio" className="text-xl font-semibold tracking-tight">
        Portfolio
      </h2>
      {portfolio.isPending ? (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-busy="true">
          {Array.from({ length: 3 }, (_, index) => (
            <Skeleton key={index} className="aspect-video w-full" />
          ))}
        </div>
      ) : portfolio.isError ? (
        <ErrorState
          error={portfolio.error}
          title="Could not load the portfolio"
          onRetry={() => void portfolio.refetch()}
        />
      ) : portfolio.data.length === 0 ? (
        <EmptyState title="No portfolio videos yet" />
      ) : (
        <ul className="grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
          {[...portfolio.data]
            .sort(
              (a, b) => Number(b.is_highlight) - Number(a.is_highlight) || a.position - b.position,
            )
            .map((item) => (
              <li key={item.id}>
                <ReelItem item={item} />
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}
