import { Link, useParams } from "react-router";
import { useGigs, usePublicProfile, type PublicProfile } from "@/api/queries";
import { Avatar } from "@/components/avatar";
import { GigCard, GigCardSkeleton, GigGrid } from "@/components/gig-card";
import { PortfolioReel } from "@/components/profile/portfolio-reel";
import { AVAILABILITY_LABELS } from "@/components/profile/profile-schema";
import { UserReviews } from "@/components/profile/user-reviews";
import { Stars } from "@/components/stars";
import { EmptyState, ErrorState, LoadFailure } from "@/components/states";
import { MessageButton } from "@/components/messages/message-button";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { VerifiedBadge } from "@/components/verified-badge";
import {
  formatDate,
  formatMoney,
  formatRelativeTime,
  formatResponseTime,
  languageName,
  levelLabel,
  plural,
} from "@/lib/format";

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-col">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-medium">{value}</dd>
    </div>
  );
}

function Presence({ profile }: { profile: PublicProfile }) {
  if (profile.online) {
    return (
      <span className="inline-flex items-center gap-1.5 text-sm">
        <span className="size-2 rounded-full bg-emerald-600" aria-hidden="true" />
        Online now
      </span>
    );
  }
  if (!profile.last_seen_at) return null;
  return (
    <span className="text-sm text-muted-foreground">
      Last seen{" "}
      <time dateTime={profile.last_seen_at}>{formatRelativeTime(profile.last_seen_at)}</time>
    </span>
  );
}

const LINKS = [
  ["website_url", "Website"],
  ["youtube_url", "YouTube"],
  ["instagram_url", "Instagram"],
] as const;

function ProfileHeader({ profile }: { profile: PublicProfile }) {
  const { stats } = profile;
  const sells = profile.role !== "client";
  return (
    <header className="flex flex-col gap-6 rounded-2xl border bg-card p-5 md:p-8">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-center">
        <Avatar name={profile.full_name} url={profile.avatar_url} className="size-24 text-3xl" />
        <div className="flex min-w-0 flex-col gap-1">
          <h1 className="text-2xl font-bold tracking-tight md:text-3xl">{profile.full_name}</h1>
          <p className="text-muted-foreground">@{profile.username}</p>
          <div className="flex flex-wrap items-center gap-3">
            {sells && <Badge variant="secondary">{levelLabel(profile.creator_level)}</Badge>}
            <VerifiedBadge verified={profile.is_verified} />
            {stats.total_reviews > 0 ? (
              <span className="inline-flex items-center gap-1.5 text-sm">
                <Stars rating={Number(stats.rating)} />
                <span className="font-semibold">{Number(stats.rating).toFixed(1)}</span>
                <span className="text-muted-foreground">
                  ({plural(stats.total_reviews, "review")})
                </span>
              </span>
            ) : (
              <span className="text-sm text-muted-foreground">No reviews yet</span>
            )}
            <Presence profile={profile} />
          </div>
          <div>
            <MessageButton participantId={profile.id} />
          </div>
        </div>
      </div>
      <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <Fact label="Member since" value={formatDate(profile.member_since)} />
        <Fact label="Response time" value={formatResponseTime(stats.response_time_hours)} />
        <Fact
          label="On time"
          value={
            stats.on_time_delivery_percent === null ? "—" : `${stats.on_time_delivery_percent}%`
          }
        />
        <Fact
          label="Repeat clients"
          value={stats.repeat_client_percent === null ? "—" : `${stats.repeat_client_percent}%`}
        />
        <Fact label="Orders" value={stats.total_orders.toLocaleString()} />
        {profile.hourly_rate && (
          <Fact label="Hourly rate" value={`${formatMoney(profile.hourly_rate)}/h`} />
        )}
      </dl>
    </header>
  );
}

function About({ profile }: { profile: PublicProfile }) {
  const links = LINKS.filter(([key]) => profile[key]);
  return (
    <section aria-labelledby="about" className="flex flex-col gap-4">
      <h2 id="about" className="text-xl font-semibold tracking-tight">
        About
      </h2>
      {profile.bio ? (
        <p className="whitespace-pre-line">{profile.bio}</p>
      ) : (
        <p className="text-muted-foreground">{profile.full_name} has not written a bio yet.</p>
      )}
      <dl className="grid gap-4 text-sm sm:grid-cols-2">
        <div className="flex flex-col gap-1">
          <dt className="text-xs text-muted-foreground">Languages</dt>
          <dd className="font-medium">{languageName(profile.language)}</dd>
        </div>
        <div className="flex flex-col gap-1">
          <dt className="text-xs text-muted-foreground">Time zone</dt>
          <dd className="font-medium">{profile.timezone.replaceAll("_", " ")}</dd>
        </div>
        {profile.availability && (
          <div className="flex flex-col gap-1">
            <dt className="text-xs text-muted-foreground">Availability</dt>
            <dd className="font-medium">{AVAILABILITY_LABELS[profile.availability]}</dd>
          </div>
        )}
        {profile.skills.length > 0 && (
          <div className="flex flex-col gap-1 sm:col-span-2">
            <dt className="text-xs text-muted-foreground">Skills</dt>
            <dd>
              <ul className="flex flex-wrap gap-2" aria-label="Skills">
                {profile.skills.map((skill) => (
                  <li key={skill} className="rounded-full bg-muted px-3 py-1 text-xs">
                    {skill}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
      {links.length > 0 && (
        <ul className="flex flex-wrap gap-4 text-sm" aria-label="Links">
          {links.map(([key, label]) => (
            <li key={key}>
              <a
                href={profile[key] ?? undefined}
                target="_blank"
                rel="noopener noreferrer nofollow"
                className="font-medium text-primary underline-offset-4 hover:underline"
              >
                {label}
                <span className="sr-only"> (opens in a new tab)</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CreatorGigs({ profile }: { profile: PublicProfile }) {
  const gigs = useGigs({ creator_id: profile.id, sort_by: "popular", page_size: 8 });
  return (
    <section aria-labelledby="gigs" className="flex flex-col gap-4">
      <h2 id="gigs" className="text-xl font-semibold tracking-tight">
        Gigs by {profile.full_name}
      </h2>
      {gigs.isPending ? (
        <GigGrid>
          {Array.from({ length: 4 }, (_, index) => (
            <GigCardSkeleton key={index} />
          ))}
        </GigGrid>
      ) : gigs.isError ? (
        <ErrorState
          error={gigs.error}
          title="Could not load the gigs"
          onRetry={() => void gigs.refetch()}
        />
      ) : gigs.data.items.length === 0 ? (
        <EmptyState title="No gigs yet" />
      ) : (
        <GigGrid>
          {gigs.data.items.map((gig) => (
            <GigCard key={gig.id} gig={gig} />
          ))}
        </GigGrid>
      )}
    </section>
  );
}

function ProfileSkeleton() {
  return (
    <div
      className="flex flex-col gap-6"
      role="status"
      aria-busy="true"
      aria-label="Loading the profile"
    >
      <Skeleton className="h-48 w-full rounded-2xl" />
      <Skeleton className="h-6 w-1/3" />
      <Skeleton className="h-24 w-full" />
    </div>
  );
}

/** A person's public profile: who they are, their track record, portfolio, gigs and reviews. */
export function Component() {
  const { userId = "" } = useParams();
  const profile = usePublicProfile(userId);

  if (profile.isPending) return <ProfileSkeleton />;
  if (profile.isError) {
    return (
      <LoadFailure
        error={profile.error}
        onRetry={() => void profile.refetch()}
        what="this profile"
        notFound={{
          pageTitle: "Profile not found",
          title: "This profile is not here",
          children: (
            <>
              The account may have been closed.{" "}
              <Link to="/search?type=creators" className="underline">
                Find other creators
              </Link>
              .
            </>
          ),
        }}
      />
    );
  }

  const data = profile.data;
  const sells = data.role !== "client";
  return (
    <article className="flex flex-col gap-10">
      <title>{`${data.full_name} · ReelByte`}</title>
      <ProfileHeader profile={data} />
      <About profile={data} />
      {sells && <PortfolioReel userId={data.id} />}
      {sells && <CreatorGigs profile={data} />}
      <UserReviews userId={data.id} name={data.full_name} />
    </article>
  );
}
Component.displayName = "CreatorPage";
