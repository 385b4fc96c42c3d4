import type { ReactNode } from "react";
import { errorMessage, isApiError } from "@/api/errors";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

export function Spinner({ className }: { className?: string }) {
  return (
    <span
      aria-hidden="true"
      className={cn(
        "inline-block size-5 animate-spin rounded-full border-2 border-current border-r-transparent",
        className,
      )}
    />
  );
}

export function PageLoading({ label = "Loading" }: { label?: string }) {
  return (
    <div
      role="status"
      className="flex min-h-[40vh] items-center justify-center gap-3 text-muted-foreground"
    >
      <Spinner />
      <span>{label}…</span>
    </div>
  );
}

export function ErrorState({
  error,
  title = "Something went wrong",
  onRetry,
  className,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  className?: string;
}) {
  return (
    <div
      role="alert"
      className={cn(
        "flex flex-col items-center gap-3 rounded-xl border border-dashed p-8 text-center",
        className,
      )}
    >
      <p className="font-medium">{title}</p>
      <p className="text-sm text-muted-foreground">{errorMessage(error)}</p>
      {onRetry && (
        <Button variant="outline" size="sm" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  className,
}: {
  title: string;
  children?: ReactNode;
  className?: string;
}) {
  return (
    <div
      className={cn(
        "flex flex-col items-center gap-2 rounded-xl border border-dashed p-8 text-center",
        className,
      )}
    >
      <p className="font-medium">{title}</p>
      {children && <div className="text-sm text-muted-foreground">{children}</div>}
    </div>
  );
}

/** Why a page's one object did not load: not there (a 404, or an id that cannot exist: 422)
 * with where to go instead, or another failure to retry. */
export function LoadFailure({
  error,
  onRetry,
  what,
  notFound,
}: {
  error: unknown;
  onRetry: () => void;
  /** "this gig": the failure's title says "Could not load this gig". */
  what: string;
  /** The page's title and what to say when it is not there. */
  notFound: { pageTitle: string; title: string; children: ReactNode };
}) {
  if (isApiError(error) && [404, 422].includes(error.status)) {
    return (
      <EmptyState title={notFound.title}>
        <title>{`${notFound.pageTitle} · ReelByte`}</title>
        {notFound.children}
      </EmptyState>
    );
  }
  return <ErrorState error={error} title={`Could not load ${what}`} onRetry={onRetry} />;
}
