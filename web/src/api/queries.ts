/** Server state through TanStack Query: one hook per read the pages need (search: search.ts,
 * my account: account.ts, notifications: notifications.ts). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type GigSummary = Schemas["GigSummary"];
export type GigOut = Schemas["GigOut"];
export type PackageOut = Schemas["PackageOut"];
export type CategoryNode = Schemas["CategoryNode"];
export type ReviewOut = Schemas["ReviewOut"];
export type ReviewPage = Schemas["ReviewPage"];
export type ReviewSort = Schemas["ReviewSort"];
export type PublicProfile = Schemas["PublicProfile"];
export type PrivateProfile = Schemas["PrivateProfile"];
export type PortfolioItem = Schemas["PortfolioItemOut"];
export type MediaFile = Schemas["MediaFile"];
export type GigListQuery = NonNullable<operations["list_gigs_v1_gigs_get"]["parameters"]["query"]>;

export const queryKeys = {
  me: ["me"] as const,
  categories: ["categories"] as const,
  gigs: (query: GigListQuery) => ["gigs", query] as const,
  gig: (slugOrId: string) => ["gig", slugOrId] as const,
  gigReviews: (gigId: string, page: number, sort: ReviewSort) =>
    ["gig-reviews", gigId, page, sort] as const,
  user: (id: string) => ["user", id] as const,
  userReviews: (userId: string, page: number, sort: ReviewSort) =>
    ["user-reviews", userId, page, sort] as const,
  portfolio: (userId: string) => ["portfolio", userId] as const,
};

export function useCategories() {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.categories,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/categories", { signal })),
    staleTime: 10 * 60_000,
  });
}

export function useGigs(query: GigListQuery) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.gigs(query),
    queryFn: ({ signal }) => unwrap(client.GET("/v1/gigs", { params: { query }, signal })),
  });
}

export function useGig(slugOrId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.gig(slugOrId),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/gigs/{gig}", { params: { path: { gig: slugOrId } }, signal })),
  });
}

export function useGigReviews(gigId: string | undefined, page: number, sort: ReviewSort) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.gigReviews(gigId ?? "", page, sort),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/reviews/gigs/{gig_id}", {
          params: { path: { gig_id: gigId ?? "" }, query: { page, page_size: 10, sort } },
          signal,
        }),
      ),
    enabled: gigId !== undefined,
    placeholderData: keepPreviousData,
  });
}

export function usePublicProfile(userId: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.user(userId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/users/{user_id}", { params: { path: { user_id: userId ?? "" } }, signal }),
      ),
    enabled: userId !== undefined,
    staleTime: 5 * 60_000,
  });
}

export function useUserReviews(userId: string | undefined, page: number, sort: ReviewSort) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.userReviews(userId ?? "", page, sort),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/reviews/users/{user_id}", {
          params: { path: { user_id: userId ?? "" }, query: { page, page_size: 10, sort } },
          signal,
        }),
      ),
    enabled: userId !== undefined,
    placeholderData: keepPreviousData,
  });
}

export function usePortfolio(userId: string | undefined) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.portfolio(userId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/users/{user_id}/portfolio", {
          params: { path: { user_id: userId ?? "" } },
          signal,
        }),
      ),
    enabled: userId !== undefined,
    staleTime: 5 * 60_000,
  });
}
