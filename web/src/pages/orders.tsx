import { Link, useSearchParams } from "react-router";
import { useOrders, type OrderListQuery, type OrderOut, type OrderStatus } from "@/api/orders";
import { useAuth } from "@/auth/auth-context";
import { StatusBadge } from "@/components/order/status";
import { ORDER_STATUSES, statusLabel } from "@/components/order/status-model";
import { PagedList } from "@/components/paged-list";
import { EmptyState } from "@/components/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { formatDate, formatMoney } from "@/lib/format";

const PAGE_SIZE = 20;
type Role = NonNullable<OrderListQuery["role"]>;
type RoleTab = Role | "all";

const TABS: { value: RoleTab; label: string }[] = [
  { value: "all", label: "All" },
  { value: "client", label: "Buying" },
  { value: "creator", label: "Selling" },
];

function isStatus(value: string | null): value is OrderStatus {
  return value !== null && (ORDER_STATUSES as string[]).includes(value);
}

function OrderRow({ order, viewerId }: { order: OrderOut; viewerId: string | undefined }) {
  const buying = order.client_id === viewerId;
  return (
    <Link
      to={`/orders/${order.id}`}
      className="flex flex-col gap-2 rounded-xl border p-4 hover:bg-accent/50 sm:flex-row sm:items-center sm:justify-between"
    >
      <span className="flex min-w-0 flex-col gap-1">
        <span className="truncate font-medium">{order.title}</span>
        <span className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
          <StatusBadge status={order.status} />
          <span>{buying ? "Buying" : "Selling"}</span>
          <span>Ordered {formatDate(order.created_at)}</span>
          {order.delivery_date && !order.completed_at && !order.cancelled_at && (
            <span>Due {formatDate(order.delivery_date)}</span>
          )}
        </span>
      </span>
      <span className="shrink-0 font-semibold">{formatMoney(order.amount)}</span>
    </Link>
  );
}

function OrderList({
  query,
  viewerId,
  onPage,
}: {
  query: OrderListQuery;
  viewerId: string | undefined;
  onPage: (page: number) => void;
}) {
  const orders = useOrders(query);
  const page = query.page ?? 1;

  return (
    <PagedList
      query={orders}
      label="Orders"
      pagerLabel="Order pages"
      noun="your orders"
      empty={
        <EmptyState
          title={
            query.status ? `No ${statusLabel(query.status).toLowerCase()} orders` : "No orders yet"
          }
        >
          {query.role === "creator" ? (
            "Orders for your gigs show up here."
          ) : (
            <>
              Find a creator for your next video.{" "}
              <Link to="/search" className="font-medium text-primary underline underline-offset-4">
                Browse gigs
              </Link>
            </>
          )}
        </EmptyState>
      }
      page={page}
      onPage={onPage}
      itemKey={(order) => order.id}
      renderItem={(order) => <OrderRow order={order} viewerId={viewerId} />}
      className="flex flex-col gap-3"
    />
  );
}

/** My orders, as a buyer and as a seller (behind log-in); the filters live in the URL. */
export function Component() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  // Someone who is only a client or only a creator has one side: no tabs.
  const bothSides = user?.role === "hybrid" || user?.role === "admin";
  const asked = params.get("role");
  const tab: RoleTab = bothSides
    ? asked === "client" || asked === "creator"
      ? asked
      : "all"
    : user?.role === "creator"
      ? "creator"
      : "client";
  const askedStatus = params.get("status");
  const status = isStatus(askedStatus) ? askedStatus : undefined;
  const page = Math.max(1, Number(params.get("page")) || 1);

  const query: OrderListQuery = {
    page,
    page_size: PAGE_SIZE,
    ...(tab !== "all" ? { role: tab } : {}),
    ...(status ? { status } : {}),
  };

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  }

  const list = (
    <OrderList
      query={query}
      viewerId={user?.id}
      onPage={(next) => update({ page: next === 1 ? null : String(next) })}
    />
  );

  return (
    <div className="mx-auto flex w-full max-w-4xl flex-col gap-6">
      <title>Your orders · ReelByte</title>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-bold tracking-tight">Your orders</h1>
        <div className="flex items-center gap-2">
          <label htmlFor="order-status" className="text-sm text-muted-foreground">
            Status
          </label>
          <select
            id="order-status"
            value={status ?? ""}
            onChange={(event) => update({ status: event.target.value || null, page: null })}
            className="h-9 rounded-md border border-input bg-background px-2 text-sm"
          >
            <option value="">All statuses</option>
            {ORDER_STATUSES.map((value) => (
              <option key={value} value={value}>
                {statusLabel(value)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {bothSides ? (
        <Tabs
          value={tab}
          onValueChange={(value) => update({ role: value === "all" ? null : value, page: null })}
        >
          <TabsList aria-label="Orders as">
            {TABS.map((item) => (
              <TabsTrigger key={item.value} value={item.value}>
                {item.label}
              </TabsTrigger>
            ))}
          </TabsList>
          {TABS.map((item) => (
            <TabsContent key={item.value} value={item.value}>
              {item.value === tab && list}
            </TabsContent>
          ))}
        </Tabs>
      ) : (
        list
      )}
    </div>
  );
}
Component.displayName = "OrdersPage";
