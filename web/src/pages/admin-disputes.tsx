import { useSearchParams } from "react-router";
import { useDisputes, type DisputeCase } from "@/api/admin";
import { SplitForm } from "@/components/admin/split-form";
import { Pager } from "@/components/pager";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatMoney } from "@/lib/format";

function DisputeCard({ item }: { item: DisputeCase }) {
  const { dispute, order, held } = item;
  const open = dispute.status === "open";
  const opener = dispute.opened_by === order.client_id ? "the client" : "the creator";
  return (
    <li
      className="flex flex-col gap-3 rounded-xl border p-4"
      aria-label={`Dispute on ${order.title}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">{order.title}</p>
          <p className="text-xs text-muted-foreground">
            Order of {formatMoney(order.amount)} · opened by {opener} on{" "}
            {formatDateTime(dispute.created_at)}
          </p>
        </div>
        <Badge variant={open ? "warning" : "secondary"}>{open ? "Open" : "Resolved"}</Badge>
      </div>
      <p className="text-sm">
        <span className="font-medium">Reason: </span>
        {dispute.reason}
      </p>
      {open ? (
        <>
          <p className="text-sm">
            Escrow holds <span className="font-semibold">{formatMoney(held)}</span>.
          </p>
          <SplitForm dispute={item} />
        </>
      ) : (
        <p className="text-sm text-muted-foreground">
          {dispute.refund && `Refunded ${formatMoney(dispute.refund)}`}
          {dispute.release && `, released ${formatMoney(dispute.release)}`}
          {dispute.resolved_at && ` on ${formatDateTime(dispute.resolved_at)}`}
          {dispute.resolution_note && `: ${dispute.resolution_note}`}
        </p>
      )}
    </li>
  );
}

/** Admin: the disputes, open ones first (oldest first), each with the money held to split. */
export function Component() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const disputes = useDisputes(page);
  return (
    <section aria-labelledby="admin-disputes" className="flex flex-col gap-4">
      <title>Disputes · Admin · ReelByte</title>
      <div>
        <h1 id="admin-disputes" className="text-2xl font-bold tracking-tight">
          Disputes
        </h1>
        <p className="text-sm text-muted-foreground">
          Split what escrow holds between the client and the creator; the amounts must add up.
        </p>
      </div>
      {disputes.isPending ? (
        <PageLoading label="Loading disputes" />
      ) : disputes.isError ? (
        <ErrorState
          error={disputes.error}
          title="Could not load the disputes"
          onRetry={() => void disputes.refetch()}
        />
      ) : disputes.data.items.length === 0 ? (
        <EmptyState title="No disputes">No order has been disputed.</EmptyState>
      ) : (
        <>
          <ul aria-label="Disputes" className="flex flex-col gap-3">
            {disputes.data.items.map((item) => (
              <DisputeCard key={item.dispute.id} item={item} />
            ))}
          </ul>
          <Pager
            label="Dispute pages"
            page={page}
            totalPages={disputes.data.total_pages}
            onPage={(next) => setParams({ page: String(next) })}
          />
        </>
      )}
    </section>
  );
}
Component.displayName = "AdminDisputesPage";
