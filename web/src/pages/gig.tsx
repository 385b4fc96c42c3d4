import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import {
  useGig,
  useGigReviews,
  usePublicProfile,
  type GigOut,
  type PackageOut,
  type ReviewSort,
} from "@/api/queries";
import { Pager } from "@/components/pager";
import { Avatar } from "@/components/avatar";
import { ReviewList, ReviewSortSelect } from "@/components/review-list";
import { RatingBadge, Stars } from "@/components/stars";
import { EmptyState, ErrorState, LoadFailure } from "@/components/states";
import { StreamVideo } from "@/components/stream-video";
import { Button } from "@/components/ui/button";
import {
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { VerifiedBadge } from "@/components/verified-badge";
import { formatMoney, levelLabel, plural } from "@/lib/format";
import { cn } from "@/lib/utils";

type Slide =
  | {
      kind: "video";
      url: string;
      stream?: string | null;
      poster: string | null;
      thumbnail: string | null;
    }
  | { kind: "image"; url: string; thumbnail: string };

/** The preview video first, then the gallery: links as pictures, uploaded files as what they
 * are (an uploaded video streams adaptively, or plays its muted preview clip, with its poster). */
function slidesOf(gig: GigOut): Slide[] {
  const uploads = new Map(gig.gallery_uploads.map((upload) => [upload.url, upload]));
  const slides: Slide[] = [];
  if (gig.video_preview_url) {
    slides.push({
      kind: "video",
      url: gig.video_preview_url,
      poster: gig.thumbnail_url,
      thumbnail: gig.thumbnail_url,
    });
  }
  for (const url of gig.gallery_urls) {
    const upload = uploads.get(url);
    slides.push(
      upload?.kind === "video"
        ? {
            kind: "video",
            url,
            stream: upload.stream_url,
            poster: upload.poster_url,
            thumbnail: upload.thumbnail_url,
          }
        : { kind: "image", url, thumbnail: upload?.thumbnail_url ?? url },
    );
  }
  if (slides.length === 0 && gig.thumbnail_url) {
    slides.push({ kind: "image", url: gig.thumbnail_url, thumbnail: gig.thumbnail_url });
  }
  return slides;
}

function Gallery({ gig }: { gig: GigOut }) {
  const slides = slidesOf(gig);
  const [index, setIndex] = useState(0);
  const slide = slides[Math.min(index, slides.length - 1)];
  return (
    <section aria-label="Gallery" className="flex flex-col gap-3">
      <div className="aspect-video overflow-hidden rounded-xl bg-muted">
        {!slide ? (
          <div className="flex size-full items-center justify-center text-muted-foreground">
            No pictures yet
          </div>
        ) : slide.kind === "video" ? (
          <StreamVideo
            key={slide.url}
            src={slide.stream ?? slide.url}
            fallback={slide.url}
            poster={slide.poster ?? undefined}
            controls
            muted
            playsInline
            preload="metadata"
            aria-label={`${gig.title}: video ${index + 1} of ${slides.length}`}
            className="size-full bg-black object-contain"
          />
        ) : (
          <img
            src={slide.url}
            alt={`${gig.title}: picture ${index + 1} of ${slides.length}`}
            width={1280}
            height={720}
            className="size-full object-cover"
          />
        )}
      </div>
      {slides.length > 1 && (
        <ul className="flex gap-2 overflow-x-auto pb-1">
          {slides.map((item, position) => (
            <li key={item.url} className="shrink-0">
              <button
                type="button"
                onClick={() => setIndex(position)}
                aria-label={`Show ${item.kind === "video" ? "video" : "picture"} ${position + 1} of ${slides.length}`}
                aria-pressed={position === index}
                className={cn(
                  "block h-14 w-24 overflow-hidden rounded-md border-2 bg-muted",
                  position === index ? "border-primary" : "border-transparent",
                )}
              >
                {item.thumbnail ? (
                  <img
                    src={item.thumbnail}
                    alt=""
                    loading="lazy"
                    className="size-full object-cover"
                  />
                ) : (
                  <span aria-hidden="true">▶</span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const TIER_ORDER = { basic: 0, standard: 1, premium: 2 } as const;

function PackageCard({ gig, pkg }: { gig: GigOut; pkg: PackageOut }) {
  const navigate = useNavigate();
  const headingId = `package-${pkg.id}`;
  return (
    <Card
      aria-labelledby={headingId}
      role="group"
      className={cn("flex flex-col", pkg.tier === "standard" && "border-primary md:shadow-md")}
    >
      <CardHeader>
        <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          {pkg.tier}
        </p>
        <CardTitle id={headingId}>{pkg.name}</CardTitle>
        <p className="text-2xl font-bold">{formatMoney(pkg.price)}</p>
        <CardDescription>{pkg.description}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-1 flex-col gap-3 text-sm">
        <p className="flex flex-wrap gap-x-4 gap-y-1 font-medium">
          <span>{plural(pkg.delivery_days, "day")} delivery</span>
          <span>{pkg.revisions === 0 ? "No revisions" : plural(pkg.revisions, "revision")}</span>
        </p>
        {pkg.features.length > 0 && (
          <ul className="flex flex-col gap-1.5" aria-label={`Included in ${pkg.name}`}>
            {pkg.features.map((feature) => (
              <li key={feature} className="flex gap-2">
                <span aria-hidden="true" className="text-primary">
                  ✓
                </span>
                {feature}
              </li>
            ))}
          </ul>
        )}
      </CardContent>
      <CardFooter>
        <Button
          className="w-full"
          variant={pkg.tier === "standard" ? "default" : "outline"}
          aria-label={`Continue with ${pkg.name} (${formatMoney(pkg.price)})`}
          onClick={() =>
            navigate(`/orders/new?gig=${encodeURIComponent(gig.slug)}&package=${pkg.id}`)
          }
        >
          Continue
        </Button>
      </CardFooter>
    </Card>
  );
}

function Packages({ gig }: { gig: GigOut }) {
  const packages = [...gig.packages].sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier]);
  return (
    <section aria-labelledby="packages" className="flex flex-col gap-4">
      <h2 id="packages" className="text-xl font-semibold tracking-tight">
        Packages
      </h2>
      {packages.length === 0 ? (
        <EmptyState title="No packages yet">This gig cannot be ordered yet.</EmptyState>
      ) : (
        <div className="grid gap-4 md:grid-cols-3">
          {packages.map((pkg) => (
            <PackageCard key={pkg.id} gig={gig} pkg={pkg} />
          ))}
        </div>
      )}
    </section>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-col">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-medium">{value}</dd>
    </div>
  );
}

function CreatorCard({ gig }: { gig: GigOut }) {
  const { creator } = gig;
  const profile = usePublicProfile(creator.id);
  const responseHours = profile.data?.stats.response_time_hours;
  return (
    <Card>
      <CardHeader className="flex-row items-center gap-3">
        <Avatar name={creator.full_name} url={creator.avatar_url} className="size-14 text-xl" />
        <div className="min-w-0">
          <h2 className="truncate font-semibold">
            <Link to={`/creators/${creator.id}`} className="hover:underline">
              {creator.full_name}
            </Link>
          </h2>
          <p className="truncate text-sm text-muted-foreground">@{creator.username}</p>
          <p className="flex items-center gap-2 text-sm">
            {levelLabel(creator.creator_level)}
            <VerifiedBadge verified={creator.is_verified} />
          </p>
        </div>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-2 gap-3 text-sm">
          <Fact
            label="Rating"
            value={
              creator.total_reviews === 0
                ? "No reviews yet"
                : `${Number(creator.rating).toFixed(1)} (${plural(creator.total_reviews, "review")})`
            }
          />
          <Fact
            label="Response time"
            value={
              profile.isPending
                ? "…"
                : responseHours === null || responseHours === undefined
                  ? "—"
                  : responseHours <= 1
                    ? "Within an hour"
                    : `${responseHours} hours`
            }
          />
          <Fact
            label="On time"
            value={
              creator.on_time_delivery_percent === null
                ? "—"
                : `${creator.on_time_delivery_percent}%`
            }
          />
          <Fact
            label="Repeat clients"
            value={
              creator.repeat_client_percent === null ? "—" : `${creator.repeat_client_percent}%`
            }
          />
        </dl>
      </CardContent>
    </Card>
  );
}

function Histogram({ histogram, count }: { histogram: Record<string, number>; count: number }) {
  return (
    <dl className="flex flex-col gap-1.5" aria-label="Reviews by stars">
      {[5, 4, 3, 2, 1].map((stars) => {
        const n = histogram[String(stars)] ?? 0;
        const share = count === 0 ? 0 : Math.round((n / count) * 100);
        return (
          <div key={stars} className="flex items-center gap-2 text-sm">
            <dt className="w-14 shrink-0">{plural(stars, "star")}</dt>
            <dd className="flex flex-1 items-center gap-2">
              <span className="h-2 flex-1 overflow-hidden rounded-full bg-muted" aria-hidden="true">
                <span
                  className="block h-full rounded-full bg-star"
                  style={{ width: `${share}%` }}
                />
              </span>
              <span className="w-10 text-right text-muted-foreground">
                {n.toLocaleString()}
                <span className="sr-only"> reviews</span>
              </span>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function Reviews({ gig }: { gig: GigOut }) {
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<ReviewSort>("newest");
  const reviews = useGigReviews(gig.id, page, sort);
  const summary = reviews.data?.summary;

  return (
    <section aria-labelledby="reviews" className="flex flex-col gap-4">
      <h2 id="reviews" className="text-xl font-semibold tracking-tight">
        Reviews
      </h2>
      {reviews.isPending ? (
        <div className="flex flex-col gap-3" aria-busy="true">
          <Skeleton className="h-24 w-full" />
          <Skeleton className="h-20 w-full" />
        </div>
      ) : reviews.isError ? (
        <ErrorState
          error={reviews.error}
          title="Could not load reviews"
          onRetry={() => void reviews.refetch()}
        />
      ) : !summary || summary.count === 0 ? (
        <EmptyState title="No reviews yet">Reviews appear here after completed orders.</EmptyState>
      ) : (
        <>
          <div className="grid gap-6 md:grid-cols-[14rem_1fr]">
            <div className="flex flex-col gap-1">
              <p className="text-4xl font-bold">{Number(summary.rating).toFixed(1)}</p>
              <Stars rating={Number(summary.rating)} />
              <p className="text-sm text-muted-foreground">{plural(summary.count, "review")}</p>
            </div>
            <div className="flex flex-col gap-4">
              <Histogram histogram={summary.histogram} count={summary.count} />
              <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
                {(
                  [
                    ["Communication", summary.averages.communication],
                    ["Quality", summary.averages.quality],
                    ["Timeliness", summary.averages.timeliness],
                  ] as const
                ).map(([label, value]) => (
                  <div key={label} className="flex gap-1">
                    <dt className="text-muted-foreground">{label}</dt>
                    <dd className="font-medium">
                      {value === null ? "—" : Number(value).toFixed(1)}
                    </dd>
                  </div>
                ))}
              </dl>
            </div>
          </div>
          <div className="flex justify-end">
            <ReviewSortSelect
              value={sort}
              onChange={(next) => {
                setSort(next);
                setPage(1);
              }}
            />
          </div>
          <ReviewList
            reviews={reviews.data.items}
            replier={gig.creator.full_name}
            dimmed={reviews.isPlaceholderData}
          />
          <Pager
            label="Review pages"
            page={page}
            totalPages={reviews.data.total_pages}
            onPage={setPage}
            size="sm"
          />
        </>
      )}
    </section>
  );
}

function GigSkeleton() {
  return (
    <div
      className="flex flex-col gap-6"
      role="status"
      aria-busy="true"
      aria-label="Loading the gig"
    >
      <Skeleton className="h-8 w-2/3" />
      <div className="grid gap-8 lg:grid-cols-[1fr_20rem]">
        <Skeleton className="aspect-video w-full" />
        <Skeleton className="h-48 w-full" />
      </div>
    </div>
  );
}

export function Component() {
  const { slug = "" } = useParams();
  const gig = useGig(slug);

  if (gig.isPending) return <GigSkeleton />;
  if (gig.isError) {
    return (
      <LoadFailure
        error={gig.error}
        onRetry={() => void gig.refetch()}
        what="this gig"
        notFound={{
          pageTitle: "Gig not found",
          title: "This gig is not here",
          children: (
            <>
              It may have been removed.{" "}
              <Link to="/" className="underline">
                Find another one
              </Link>
              .
            </>
          ),
        }}
      />
    );
  }

  const data = gig.data;
  return (
    <article className="flex flex-col gap-8">
      <title>{`${data.title} · ReelByte`}</title>
      <header className="flex flex-col gap-2">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
          <ol className="flex flex-wrap items-center gap-1">
            <li>
              <Link
                to={`/search?category=${data.category.id}&name=${encodeURIComponent(data.category.name)}`}
                className="hover:underline"
              >
                {data.category.name}
              </Link>
            </li>
            {data.subcategory && (
              <li className="before:mr-1 before:content-['/']">{data.subcategory.name}</li>
            )}
          </ol>
        </nav>
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">{data.title}</h1>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <Link to={`/creators/${data.creator.id}`} className="font-medium hover:underline">
            {data.creator.full_name}
          </Link>
          <RatingBadge rating={data.stats.rating} reviews={data.stats.total_reviews} />
          {data.stats.orders > 0 && (
            <span className="text-muted-foreground">{plural(data.stats.orders, "order")}</span>
          )}
        </div>
      </header>

      <div className="grid gap-8 lg:grid-cols-[1fr_20rem]">
        <div className="flex min-w-0 flex-col gap-8">
          <Gallery gig={data} />
          <section aria-labelledby="about" className="flex flex-col gap-2">
            <h2 id="about" className="text-xl font-semibold tracking-tight">
              About this gig
            </h2>
            <p className="whitespace-pre-line">{data.description}</p>
            {data.tags.length > 0 && (
              <ul className="flex flex-wrap gap-2 pt-2" aria-label="Tags">
                {data.tags.map((tag) => (
                  <li key={tag} className="rounded-full bg-muted px-3 py-1 text-xs">
                    {tag}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <aside aria-label="About the creator" className="flex flex-col gap-4">
          <CreatorCard gig={data} />
        </aside>
      </div>

      <Packages gig={data} />
      <Reviews gig={data} />
    </article>
  );
}
Component.displayName = "GigPage";
