import { Button } from "@/components/ui/button";

/** Previous / "Page 2 of 5" / Next under a numbered list; nothing when there is one page only. */
export function Pager({
  label,
  page,
  totalPages,
  onPage,
  size,
}: {
  /** Names the navigation for screen readers: "Review pages". */
  label: string;
  page: number;
  totalPages: number;
  onPage: (page: number) => void;
  size?: "sm";
}) {
  if (totalPages <= 1 && page <= 1) return null;
  return (
    <nav aria-label={label} className="flex items-center justify-center gap-3">
      <Button variant="outline" size={size} disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </Button>
      <span className="text-sm text-muted-foreground">
        Page {page} of {Math.max(1, totalPages)}
      </span>
      <Button
        variant="outline"
        size={size}
        disabled={page >= totalPages}
        onClick={() => onPage(page + 1)}
      >
        Next
      </Button>
    </nav>
  );
}
