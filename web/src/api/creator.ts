/** The creator's side of the API: my gigs and their packages (catalog/router.py), the orders I
 * deliver (orders/router.py), my balance, history and withdrawals (payments/router.py). */
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { unwrap, type ApiClient } from "./client";
import { useApi } from "./context";
import { queryKeys, type GigOut } from "./queries";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type GigCreate = Schemas["GigCreate"];
export type GigUpdate = Schemas["GigUpdate"];
export type PackageTier = Schemas["PackageTier"];
export type PackageFields = {
  description: string;
  price: Schemas["Money"];
  delivery_days: number;
  revisions: number;
  features: string[];
};
export type MyGig = Schemas["MyGig"];
export type OrderOut = Schemas["OrderOut"];
export type BalanceOut = Schemas["BalanceOut"];
export type TransactionOut = Schemas["TransactionOut"];
export type WithdrawalOut = Schemas["WithdrawalOut"];

/** The orders a creator has to work on: under way, or sent back for a revision. */
export const TO_DELIVER = ["in_progress", "revision_requested"] as const;

export const creatorKeys = {
  myGigs: (userId: string) => ["my-gigs", userId] as const,
  ordersToDeliver: (userId: string) => ["orders-to-deliver", userId] as const,
  balance: ["balance"] as const,
  transactions: ["transactions"] as const,
};

type Client = ApiClient["client"];

// --- gigs ------------------------------------------------------------------------------------

/** All my gigs, paused and unpriced ones too (`is_listed` tells which clients see). */
export function useMyGigs(userId: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: creatorKeys.myGigs(userId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/users/me/gigs", { params: { query: { page_size: 100 } }, signal })),
    enabled: userId !== undefined,
  });
}

/** Pause a gig (out of lists and search, no new orders) or list it again. */
export function useSetGigActive() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ gigId, active }: { gigId: string; active: boolean }) =>
      unwrap(
        client.PUT("/v1/gigs/{gig}", {
          params: { path: { gig: gigId } },
          body: { is_active: active },
        }),
      ),
    onSuccess: (gig) => gigChanged(queryClient, gig),
  });
}

/** A gig to edit (its creator sees it also while it is inactive); shares the gig page's cache. */
export function useEditableGig(ref: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.gig(ref ?? ""),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/gigs/{gig}", { params: { path: { gig: ref ?? "" } }, signal })),
    enabled: ref !== undefined,
  });
}

function gigChanged(queryClient: QueryClient, gig: GigOut) {
  queryClient.setQueryData(queryKeys.gig(gig.id), gig);
  queryClient.setQueryData(queryKeys.gig(gig.slug), gig);
  void queryClient.invalidateQueries({ queryKey: ["my-gigs"] });
  void queryClient.invalidateQueries({ queryKey: ["gigs"] });
}

/** A new gig, with its packages in the same request. */
export function useCreateGig() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: GigCreate) => unwrap(client.POST("/v1/gigs", { body })),
    onSuccess: (gig) => gigChanged(queryClient, gig),
  });
}

export interface PackagePlan {
  create: { tier: PackageTier; body: PackageFields }[];
  update: { tier: PackageTier; id: string; body: Partial<PackageFields> }[];
  remove: { tier: PackageTier; id: string }[];
}

/** A package step that failed: which tier, and the API's error. */
export class PackageError extends Error {
  override readonly name = "PackageError";
  readonly tier: PackageTier;
  override readonly cause: unknown;

  constructor(tier: PackageTier, cause: unknown) {
    super(cause instanceof Error ? cause.message : "The package was not saved.");
    this.tier = tier;
    this.cause = cause;
  }
}

export async function addPackage(
  client: Client,
  gig: string,
  tier: PackageTier,
  body: PackageFields,
) {
  return unwrap(
    client.POST("/v1/gigs/{gig}/packages", { params: { path: { gig } }, body: { tier, ...body } }),
  );
}

export async function updatePackage(
  client: Client,
  gig: string,
  packageId: string,
  body: Partial<PackageFields>,
) {
  return unwrap(
    client.PUT("/v1/gigs/{gig}/packages/{package_id}", {
      params: { path: { gig, package_id: packageId } },
      body,
    }),
  );
}

export async function deletePackage(client: Client, gig: string, packageId: string) {
  return unwrap(
    client.DELETE("/v1/gigs/{gig}/packages/{package_id}", {
      params: { path: { gig, package_id: packageId } },
    }),
  );
}

/** Save an existing gig: its fields (PUT /v1/gigs/{gig}), then each package change through the
 * package routes (removals last, so a gig is never left without a package on the way). A
 * failed package step throws a PackageError naming the tier. */
export function useSaveGig(gigId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ changes, packages }: { changes: GigUpdate; packages: PackagePlan }) => {
      await unwrap(
        client.PUT("/v1/gigs/{gig}", { params: { path: { gig: gigId } }, body: changes }),
      );
      const step = async (tier: PackageTier, work: () => Promise<unknown>) => {
        try {
          await work();
        } catch (error) {
          throw new PackageError(tier, error);
        }
      };
      for (const { tier, id, body } of packages.update)
        await step(tier, () => updatePackage(client, gigId, id, body));
      for (const { tier, body } of packages.create)
        await step(tier, () => addPackage(client, gigId, tier, body));
      for (const { tier, id } of packages.remove)
        await step(tier, () => deletePackage(client, gigId, id));
      return unwrap(client.GET("/v1/gigs/{gig}", { params: { path: { gig: gigId } } }));
    },
    onSuccess: (gig) => gigChanged(queryClient, gig),
    onError: () => void queryClient.invalidateQueries({ queryKey: queryKeys.gig(gigId) }),
  });
}

/** Change a gig's media at once (gallery, video preview), one change at a time: each is worked
 * out from the gig as the previous one left it, so two uploads finishing together both land. */
export function useGigMediaChange(gigId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    scope: { id: `gig-media-${gigId}` },
    mutationFn: async (change: (gig: GigOut) => GigUpdate) => {
      const current =
        queryClient.getQueryData<GigOut>(queryKeys.gig(gigId)) ??
        (await unwrap(client.GET("/v1/gigs/{gig}", { params: { path: { gig: gigId } } })));
      return unwrap(
        client.PUT("/v1/gigs/{gig}", { params: { path: { gig: gigId } }, body: change(current) }),
      );
    },
    onSuccess: (gig) => gigChanged(queryClient, gig),
  });
}

// --- orders to deliver -----------------------------------------------------------------------

function dueFirst(a: OrderOut, b: OrderOut): number {
  const due = (order: OrderOut) =>
    order.delivery_date ? Date.parse(order.delivery_date) : Number.POSITIVE_INFINITY;
  return due(a) - due(b);
}

/** My orders as the creator that wait for my work, the soonest due first. */
export function useOrdersToDeliver(userId: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: creatorKeys.ordersToDeliver(userId ?? ""),
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(
        TO_DELIVER.map((status) =>
          unwrap(
            client.GET("/v1/orders", {
              params: { query: { role: "creator", status, page_size: 100 } },
              signal,
            }),
          ),
        ),
      );
      return {
        items: pages.flatMap((page) => page.items).sort(dueFirst),
        total: pages.reduce((sum, page) => sum + page.total, 0),
      };
    },
    enabled: userId !== undefined,
  });
}

// --- money -----------------------------------------------------------------------------------

export function useBalance() {
  const { client } = useApi();
  return useQuery({
    queryKey: creatorKeys.balance,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/payments/me/balance", { signal })),
  });
}

export const TRANSACTIONS_PER_PAGE = 20;

/** My ledger history, newest first, a page at a time (`next_cursor`). */
export function useTransactions() {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: creatorKeys.transactions,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET("/v1/payments/me/transactions", {
          params: {
            query: { limit: TRANSACTIONS_PER_PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_cursor,
  });
}

/** Withdraw from the available balance. `key` is the Idempotency-Key: the same key for a retry
 * of the same request, so a withdrawal is never made twice. */
export function useWithdraw() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ amount, key }: { amount: Schemas["Money"]; key: string }) =>
      unwrap(
        client.POST("/v1/payments/me/withdraw", {
          params: { header: { "Idempotency-Key": key } },
          body: { amount },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: creatorKeys.balance });
      void queryClient.invalidateQueries({ queryKey: creatorKeys.transactions });
    },
  });
}
