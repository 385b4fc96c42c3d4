import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import {
  useAdminUsers,
  useSetVerified,
  useUnsuspendUser,
  type AdminUser,
  type AdminUserQuery,
  type Role,
  type UserStatus,
  type VerificationKind,
} from "@/api/admin";
import { errorMessage } from "@/api/errors";
import { SuspendDialog } from "@/components/admin/suspend-dialog";
import { FormAlert, FormField, SelectField } from "@/components/form-field";
import { Pager } from "@/components/pager";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDate, formatDateTime, formatMoney, plural } from "@/lib/format";

const PAGE_SIZE = 20;
const ROLES: { value: Role; label: string }[] = [
  { value: "client", label: "Client" },
  { value: "creator", label: "Creator" },
  { value: "hybrid", label: "Client and creator" },
  { value: "admin", label: "Admin" },
];
const STATUSES: { value: UserStatus; label: string }[] = [
  { value: "active", label: "Active" },
  { value: "suspended", label: "Suspended" },
  { value: "deactivated", label: "Deactivated" },
];
const KINDS: { kind: VerificationKind; label: string }[] = [
  { kind: "identity", label: "identity" },
  { kind: "portfolio", label: "portfolio" },
];

function oneOf<T extends string>(value: string | null, options: { value: T }[]): T | undefined {
  return options.find((option) => option.value === value)?.value;
}

/** The list's query from the page's address: filters and page survive a reload and are links. */
function useUserQuery() {
  const [params, setParams] = useSearchParams();
  const verified = params.get("verified");
  const query: AdminUserQuery = {
    q: params.get("q") || undefined,
    role: oneOf(params.get("role"), ROLES),
    status: oneOf(params.get("status"), STATUSES),
    verified: verified === "yes" ? true : verified === "no" ? false : undefined,
    page: Math.max(1, Number(params.get("page")) || 1),
    page_size: PAGE_SIZE,
  };
  const set = (changes: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      if (!("page" in changes)) next.delete("page");
      return next;
    });
  return { query, params, set };
}

function StatusBadge({ user }: { user: AdminUser }) {
  if (user.status === "suspended") return <Badge variant="destructive">Suspended</Badge>;
  if (user.status === "deactivated") return <Badge variant="secondary">Deactivated</Badge>;
  return <Badge variant="success">Active</Badge>;
}

function UserRow({ user }: { user: AdminUser }) {
  const [suspending, setSuspending] = useState(false);
  const unsuspend = useUnsuspendUser();
  const verify = useSetVerified();
  const failure = unsuspend.error ?? verify.error;
  const has = (kind: VerificationKind) => user.verifications.some((v) => v.kind === kind);
  const orders = user.orders_as_client + user.orders_as_creator;

  return (
    <li className="flex flex-col gap-3 p-4" aria-label={`${user.full_name}, @${user.username}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="flex flex-wrap items-center gap-2 font-medium">
            {user.full_name}
            <span className="text-sm font-normal text-muted-foreground">@{user.username}</span>
            <StatusBadge user={user} />
            {user.verifications.length > 0 && <Badge variant="info">Verified</Badge>}
          </p>
          <p className="truncate text-sm text-muted-foreground">
            {user.email}
            {!user.email_verified && " (not confirmed)"}
          </p>
          <p className="text-xs text-muted-foreground">
            {ROLES.find((role) => role.value === user.role)?.label} · joined{" "}
            {formatDate(user.created_at)} · {plural(orders, "order")} · GMV{" "}
            {formatMoney(user.gmv_as_client)} bought, {formatMoney(user.gmv_as_creator)} sold
            {user.open_reports > 0 && ` · ${plural(user.open_reports, "open report")}`}
          </p>
          {user.status === "suspended" && (
            <p className="mt-1 text-sm">
              <span className="font-medium">Suspended</span>
              {user.suspended_until
                ? ` until ${formatDateTime(user.suspended_until)}`
                : " until lifted"}
              : {user.suspension_reason}
            </p>
          )}
        </div>
        <div className="flex flex-wrap gap-2">
          {KINDS.map(({ kind, label }) => (
            <Button
              key={kind}
              size="sm"
              variant="outline"
              disabled={verify.isPending}
              aria-label={`${has(kind) ? "Unverify" : "Verify"} ${label} of @${user.username}`}
              onClick={() => verify.mutate({ userId: user.id, kind, verified: !has(kind) })}
            >
              {has(kind) ? `Unverify ${label}` : `Verify ${label}`}
            </Button>
          ))}
          {user.role !== "admin" &&
            (user.status === "suspended" ? (
              <Button
                size="sm"
                variant="outline"
                disabled={unsuspend.isPending}
                aria-label={`Lift the suspension of @${user.username}`}
                onClick={() => unsuspend.mutate(user.id)}
              >
                Unsuspend
              </Button>
            ) : (
              <Button
                size="sm"
                variant="destructive"
                aria-label={`Suspend @${user.username}`}
                onClick={() => setSuspending(true)}
              >
                Suspend
              </Button>
            ))}
        </div>
      </div>
      <FormAlert message={failure ? errorMessage(failure) : null} />
      <SuspendDialog user={user} open={suspending} onOpenChange={setSuspending} />
    </li>
  );
}

/** Admin: every account, filtered and paged; verify, suspend and lift suspensions. */
export function Component() {
  const { query, params, set } = useUserQuery();
  const users = useAdminUsers(query);
  const [search, setSearch] = useState(query.q ?? "");

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    set({ q: search.trim() || null });
  };

  return (
    <section aria-labelledby="admin-users" className="flex flex-col gap-4">
      <title>Users · Admin · ReelByte</title>
      <h1 id="admin-users" className="text-2xl font-bold tracking-tight">
        Users
      </h1>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <form
          role="search"
          aria-label="Search users"
          onSubmit={submitSearch}
          className="flex items-end gap-2 lg:col-span-1"
        >
          <div className="flex-1">
            <FormField
              label="Search"
              type="search"
              placeholder="Name, username or e-mail"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
          </div>
          <Button type="submit" variant="outline">
            Search
          </Button>
        </form>
        <SelectField
          label="Role"
          value={params.get("role") ?? ""}
          onChange={(event) => set({ role: event.target.value || null })}
        >
          <option value="">Any role</option>
          {ROLES.map((role) => (
            <option key={role.value} value={role.value}>
              {role.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Status"
          value={params.get("status") ?? ""}
          onChange={(event) => set({ status: event.target.value || null })}
        >
          <option value="">Any status</option>
          {STATUSES.map((status) => (
            <option key={status.value} value={status.value}>
              {status.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Verified"
          value={params.get("verified") ?? ""}
          onChange={(event) => set({ verified: event.target.value || null })}
        >
          <option value="">Verified or not</option>
          <option value="yes">Verified</option>
          <option value="no">Not verified</option>
        </SelectField>
      </div>

      {users.isPending ? (
        <PageLoading label="Loading users" />
      ) : users.isError ? (
        <ErrorState
          error={users.error}
          title="Could not load the users"
          onRetry={() => void users.refetch()}
        />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No users match">Change the filters or the search.</EmptyState>
      ) : (
        <>
          <p className="text-sm text-muted-foreground" aria-live="polite">
            {plural(users.data.total, "user")}
          </p>
          <ul
            aria-label="Users"
            aria-busy={users.isPlaceholderData}
            className="flex flex-col divide-y rounded-xl border"
          >
            {users.data.items.map((user) => (
              <UserRow key={user.id} user={user} />
            ))}
          </ul>
          <Pager
            label="User pages"
            page={query.page ?? 1}
            totalPages={users.data.total_pages}
            onPage={(page) => set({ page: String(page) })}
          />
        </>
      )}
    </section>
  );
}
Component.displayName = "AdminUsersPage";
