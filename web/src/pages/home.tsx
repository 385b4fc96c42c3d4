import { Link } from "react-router";
import { useCategories, useGigs, type GigListQuery } from "@/api/queries";
import { usePopularSearches } from "@/api/search";
import { GigCard, GigCardSkeleton, GigGrid } from "@/components/gig-card";
import { SearchSuggest } from "@/components/search-suggest";
import { EmptyState, ErrorState } from "@/components/states";
import { Skeleton } from "@/components/ui/skeleton";

const FEATURED: GigListQuery = { featured: true, sort_by: "popular", page_size: 8 };
const TRENDING: GigListQuery = { sort_by: "popular", page_size: 8 };

function GigSection({
  id,
  title,
  query,
  empty,
}: {
  id: string;
  title: string;
  query: GigListQuery;
  empty: string;
}) {
  const gigs = useGigs(query);
  return (
    <section aria-labelledby={id} className="flex flex-col gap-4" aria-busy={gigs.isPending}>
      <h2 id={id} className="text-xl font-semibold tracking-tight">
        {title}
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
          title={`Could not load ${title.toLowerCase()}`}
          onRetry={() => void gigs.refetch()}
        />
      ) : gigs.data.items.length === 0 ? (
        <EmptyState title={empty}>New gigs appear here as creators publish them.</EmptyState>
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

function Categories() {
  const categories = useCategories();
  return (
    <section aria-labelledby="categories" className="flex flex-col gap-4">
      <h2 id="categories" className="text-xl font-semibold tracking-tight">
        Browse by category
      </h2>
      {categories.isPending ? (
        <div className="flex flex-wrap gap-2" aria-hidden="true">
          {Array.from({ length: 6 }, (_, index) => (
            <Skeleton key={index} className="h-9 w-32 rounded-full" />
          ))}
        </div>
      ) : categories.isError ? (
        <ErrorState
          error={categories.error}
          title="Could not load categories"
          onRetry={() => void categories.refetch()}
        />
      ) : categories.data.length === 0 ? (
        <EmptyState title="No categories yet" />
      ) : (
        <ul className="flex flex-wrap gap-2">
          {categories.data
            .filter((category) => category.is_active)
            .map((category) => (
              <li key={category.id}>
                <Link
                  to={`/search?category=${category.id}&name=${encodeURIComponent(category.name)}`}
                  className="inline-flex h-9 items-center gap-2 rounded-full border bg-card px-4 text-sm hover:bg-accent hover:text-accent-foreground"
                >
                  {category.name}
                </Link>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

/** What others search for, as shortcuts; left out when there is nothing (or no answer). */
function PopularSearches() {
  const popular = usePopularSearches();
  const items = popular.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <span id="popular-searches" className="opacity-90">
        Popular:
      </span>
      <ul aria-labelledby="popular-searches" className="flex flex-wrap gap-2">
        {items.map((item) => (
          <li key={item.query}>
            <Link
              to={`/search?q=${encodeURIComponent(item.query)}`}
              className="inline-flex h-8 items-center rounded-full border border-current/20 bg-background/60 px-3 hover:bg-background"
            >
              {item.query}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Component() {
  return (
    <div className="flex flex-col gap-10">
      <title>ReelByte: hire video creators</title>
      <section className="flex flex-col gap-3 rounded-2xl bg-accent px-6 py-10 text-accent-foreground md:px-10 md:py-14">
        <h1 className="max-w-2xl text-3xl font-bold tracking-tight md:text-4xl">
          Video creators for every cut, reel and campaign.
        </h1>
        <p className="max-w-xl text-base opacity-90">
          Watch their work, pick a package and pay safely into escrow: you approve the delivery
          before the creator is paid.
        </p>
        <SearchSuggest
          label="Find a video creator or gig"
          placeholder="Try “wedding film”, “product reel”, “YouTube editing”…"
          className="mt-2 max-w-xl"
          inputClassName="h-12 text-base md:text-base"
        />
        <PopularSearches />
      </section>
      <GigSection
        id="featured"
        title="Featured gigs"
        query={FEATURED}
        empty="No featured gigs yet"
      />
      <Categories />
      <GigSection id="trending" title="Trending now" query={TRENDING} empty="No gigs yet" />
    </div>
  );
}
Component.displayName = "HomePage";
