import { Link, useSearchParams } from "react-router";
import { useGigSearch } from "@/api/queries";
import { GigCard, GigCardSkeleton, GigGrid } from "@/components/gig-card";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { plural } from "@/lib/format";

function positive(value: string | null): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

/** Search results (the first slice: text, category and paging; filters come later). */
export function Component() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const categoryId = positive(params.get("category"));
  const categoryName = params.get("name");
  const page = positive(params.get("page")) ?? 1;
  const results = useGigSearch({ q, categoryId, page });

  const heading = q ? `Results for “${q}”` : categoryName ? categoryName : "Search gigs";
  const goTo = (next: number) => {
    const copy = new URLSearchParams(params);
    if (next === 1) copy.delete("page");
    else copy.set("page", String(next));
    setParams(copy);
    window.scrollTo({ top: 0 });
  };

  return (
    <div className="flex flex-col gap-6">
      <title>{`${heading} · ReelByte`}</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight">{heading}</h1>
        {results.data && (
          <p className="text-sm text-muted-foreground" role="status">
            {results.data.total_is_exact ? "" : "About "}
            {plural(results.data.total, "gig")}
          </p>
        )}
      </div>
      {!q && categoryId === undefined ? (
        <EmptyState title="What are you looking for?">
          Type in the search box above, or{" "}
          <Link to="/" className="underline">
            browse categories
          </Link>
          .
        </EmptyState>
      ) : results.isPending ? (
        <GigGrid>
          {Array.from({ length: 8 }, (_, index) => (
            <GigCardSkeleton key={index} />
          ))}
        </GigGrid>
      ) : results.isError ? (
        <ErrorState
          error={results.error}
          title="Could not search"
          onRetry={() => void results.refetch()}
        />
      ) : results.data.items.length === 0 ? (
        <EmptyState title="No gigs match">Try other words, or fewer of them.</EmptyState>
      ) : (
        <>
          <GigGrid>
            {results.data.items.map((gig) => (
              <GigCard key={gig.id} gig={gig} />
            ))}
          </GigGrid>
          <nav aria-label="Pages" className="flex items-center justify-center gap-3">
            <Button variant="outline" disabled={page <= 1} onClick={() => goTo(page - 1)}>
              Previous
            </Button>
            <span className="text-sm text-muted-foreground">
              Page {page} of {Math.max(1, results.data.total_pages)}
            </span>
            <Button
              variant="outline"
              disabled={page >= results.data.total_pages}
              onClick={() => goTo(page + 1)}
            >
              Next
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}
Component.displayName = "SearchPage";
