import { useTransactions, type TransactionOut } from "@/api/creator";
import { EmptyState, ErrorState, Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDate, formatMoney } from "@/lib/format";
import { cn } from "@/lib/utils";

const TYPES: Record<TransactionOut["type"], string> = {
  payment: "Payment",
  earning: "Earning",
  fee: "Fee",
  refund: "Refund",
  withdrawal: "Withdrawal",
  release: "Released from escrow",
  payout: "Payout",
  reversal: "Reversal",
};

const ACCOUNTS: Record<string, string> = {
  available: "Available",
  escrow: "Escrow",
  in_transit: "In transit",
};

/** My ledger history, newest first, with "Show more" for older entries. */
export function Transactions() {
  const history = useTransactions();

  if (history.isPending)
    return (
      <div
        className="flex flex-col gap-2"
        role="status"
        aria-busy="true"
        aria-label="Loading your history"
      >
        <Skeleton className="h-10 w-full" />
        <Skeleton className="h-10 w-full" />
        <Skeleton className="h-10 w-full" />
      </div>
    );
  if (history.isError)
    return (
      <ErrorState
        error={history.error}
        title="Could not load your history"
        onRetry={() => void history.refetch()}
      />
    );
  const rows = history.data.pages.flatMap((page) => page.items);
  if (rows.length === 0)
    return (
      <EmptyState title="No money movements yet">
        Payments, earnings and withdrawals show here as they happen.
      </EmptyState>
    );
  return (
    <div className="flex flex-col gap-3">
      <div className="overflow-x-auto rounded-xl border">
        <table className="w-full text-sm">
          <caption className="sr-only">Money movements, newest first</caption>
          <thead className="bg-muted/60 text-left text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Date
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                What
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Amount
              </th>
              <th scope="col" className="hidden px-3 py-2 text-right font-medium sm:table-cell">
                Balance after
              </th>
            </tr>
          </thead>
          <tbody className="divide-y">
            {rows.map((row) => {
              const negative = row.amount.value.startsWith("-");
              return (
                <tr key={row.id}>
                  <td className="px-3 py-2 whitespace-nowrap">
                    <time dateTime={row.created_at}>{formatDate(row.created_at)}</time>
                  </td>
                  <td className="px-3 py-2">
                    <span className="font-medium">{TYPES[row.type]}</span>
                    {ACCOUNTS[row.account] && (
                      <span className="text-muted-foreground"> · {ACCOUNTS[row.account]}</span>
                    )}
                    {row.description && (
                      <span className="block text-muted-foreground">{row.description}</span>
                    )}
                  </td>
                  <td
                    className={cn(
                      "px-3 py-2 text-right font-medium whitespace-nowrap",
                      negative ? "text-foreground" : "text-green-700",
                    )}
                  >
                    {negative ? "" : "+"}
                    {formatMoney(row.amount)}
                  </td>
                  <td className="hidden px-3 py-2 text-right whitespace-nowrap text-muted-foreground sm:table-cell">
                    {formatMoney(row.balance_after)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {history.hasNextPage && (
        <Button
          variant="outline"
          className="self-center"
          disabled={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          {history.isFetchingNextPage && <Spinner className="size-4" />}
          Show older
        </Button>
      )}
      {history.isFetchNextPageError && (
        <p role="alert" className="text-center text-sm text-destructive">
          Could not load older entries. Try again.
        </p>
      )}
    </div>
  );
}
