import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { LoadingBlock } from "@/components/order/loading-block";
import { Pager } from "@/components/pager";
import { ErrorState } from "@/components/states";
import { cn } from "@/lib/utils";

interface NumberedPage<Item> {
  items: Item[];
  total_pages: number;
}

/** One page of a numbered list: loading, error with retry, the empty state, the items (dimmed
 * while the next page loads) and the pager under them. */
export function PagedList<Item>({
  query,
  label,
  pagerLabel,
  noun,
  empty,
  page,
  onPage,
  itemKey,
  renderItem,
  className,
}: {
  query: UseQueryResult<NumberedPage<Item>>;
  /** Names the list for screen readers: "My projects". */
  label: string;
  /** Names the pager: "Project pages". */
  pagerLabel: string;
  /** What the list holds, for the loading and error messages: "your projects". */
  noun: string;
  empty: ReactNode;
  page: number;
  onPage: (page: number) => void;
  itemKey: (item: Item) => string;
  renderItem: (item: Item) => ReactNode;
  className: string;
}) {
  if (query.isPending) return <LoadingBlock label={`Loading ${noun}`} rows={3} />;
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        title={`Could not load ${noun}`}
        onRetry={() => void query.refetch()}
      />
    );
  }
  if (query.data.items.length === 0) return empty;
  return (
    <div className="flex flex-col gap-4">
      <ul aria-label={label} className={cn(className, query.isPlaceholderData && "opacity-60")}>
        {query.data.items.map((item) => (
          <li key={itemKey(item)}>{renderItem(item)}</li>
        ))}
      </ul>
      <Pager
        label={pagerLabel}
        page={page}
        totalPages={query.data.total_pages}
        onPage={onPage}
        size="sm"
      />
    </div>
  );
}
