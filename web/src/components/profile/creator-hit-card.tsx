import { Link } from "react-router";
import type { CreatorHit } from "@/api/search";
import { Avatar } from "@/components/avatar";
import { AVAILABILITY_LABELS } from "@/components/profile/profile-schema";
import { RatingBadge } from "@/components/stars";
import { VerifiedBadge } from "@/components/verified-badge";
import { formatMoney, levelLabel } from "@/lib/format";

/** A creator in search results; the whole card links to their profile. */
export function CreatorHitCard({ creator }: { creator: CreatorHit }) {
  return (
    <article className="relative flex flex-col gap-3 rounded-xl border bg-card p-4 shadow-sm transition-shadow focus-within:shadow-md hover:shadow-md">
      <div className="flex items-center gap-3">
        <Avatar name={creator.full_name} url={creator.avatar_url} className="size-12 text-lg" />
        <div className="min-w-0">
          <h3 className="truncate font-medium">
            <Link
              to={`/creators/${creator.id}`}
              className="after:absolute after:inset-0 after:rounded-xl focus-visible:outline-none"
            >
              {creator.full_name}
            </Link>
          </h3>
          <p className="flex items-center gap-2 truncate text-sm text-muted-foreground">
            @{creator.username} · {levelLabel(creator.creator_level)}
            <VerifiedBadge verified={creator.is_verified} />
          </p>
        </div>
      </div>
      {creator.bio && <p className="line-clamp-3 text-sm">{creator.bio}</p>}
      {creator.skills.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label={`Skills of ${creator.full_name}`}>
          {creator.skills.slice(0, 6).map((skill) => (
            <li key={skill} className="rounded-full bg-muted px-2.5 py-0.5 text-xs">
              {skill}
            </li>
          ))}
        </ul>
      )}
      <div className="mt-auto flex flex-wrap items-center justify-between gap-2 pt-1 text-sm">
        <RatingBadge rating={creator.rating} reviews={creator.total_reviews} />
        <span className="flex gap-3">
          {creator.availability && (
            <span className="text-muted-foreground">
              {AVAILABILITY_LABELS[creator.availability]}
            </span>
          )}
          {creator.hourly_rate && (
            <span className="font-semibold">{formatMoney(creator.hourly_rate)}/h</span>
          )}
        </span>
      </div>
    </article>
  );
}
