/**
 * Projects (a client's brief), invites, proposals, and the milestones of the order an accepted
 * proposal makes: one hook per read and per action.
 *
 * The rules live in src/reelbyte/projects/service.py (projects and proposals, their state
 * machines) and orders/service.py (milestones). Funding a milestone is a checkout with an
 * Idempotency-Key, like paying an order.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import { ApiError } from "./errors";
import { orderKeys } from "./orders";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type ProjectOut = Schemas["ProjectOut"];
export type ProjectCreate = Schemas["ProjectCreate"];
export type ProjectUpdate = Schemas["ProjectUpdate"];
export type ProjectStatus = Schemas["ProjectStatus"];
export type ProjectSort = Schemas["ProjectSort"];
export type ProjectVisibility = Schemas["ProjectVisibility"];
export type ProposalOut = Schemas["ProposalOut"];
export type MyProposalOut = Schemas["MyProposalOut"];
export type ProposalMilestone = Schemas["ProposalMilestone"];
export type ProposalCreate = Schemas["ProposalCreate"];
export type ProposalStatus = Schemas["ProposalStatus"];
export type InviteOut = Schemas["InviteOut"];
export type MilestoneOut = Schemas["MilestoneOut"];
export type MilestoneIn = Schemas["MilestoneIn"];
export type MilestoneEdit = Schemas["MilestoneEdit"];
export type MilestoneSubmit = Schemas["MilestoneSubmit"];
export type PaymentOut = Schemas["PaymentOut"];
export type ProjectListQuery = NonNullable<
  operations["list_projects_v1_projects_get"]["parameters"]["query"]
>;
export type MyProposalsQuery = NonNullable<
  operations["list_my_proposals_v1_proposals_mine_get"]["parameters"]["query"]
>;
export type ProjectSearchQuery = NonNullable<
  operations["search_projects_v1_search_projects_get"]["parameters"]["query"]
>;

export const projectKeys = {
  all: ["projects"] as const,
  list: (query: ProjectListQuery) => ["projects", "list", query] as const,
  search: (query: ProjectSearchQuery) => ["projects", "search", query] as const,
  detail: (id: string) => ["projects", "detail", id] as const,
  invites: (id: string) => ["projects", "invites", id] as const,
  proposals: (id: string) => ["projects", "proposals", id] as const,
  mine: (query: MyProposalsQuery) => ["projects", "my-proposals", query] as const,
  milestones: (orderId: string) => ["milestones", orderId] as const,
};

/** Browse and search: the text search takes the list's filters, sorts and pages. */
export function useProjectSearch(query: ProjectSearchQuery) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.search(query),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/search/projects", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** A list of projects (`client_id` = me: my projects). */
export function useProjects(query: ProjectListQuery, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.list(query),
    queryFn: ({ signal }) => unwrap(client.GET("/v1/projects", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useProject(projectId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.detail(projectId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/projects/{project_id}", {
          params: { path: { project_id: projectId } },
          signal,
        }),
      ),
  });
}

function useInvalidateProjects() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: projectKeys.all });
}

export function useCreateProject() {
  const { client } = useApi();
  const invalidate = useInvalidateProjects();
  return useMutation({
    mutationFn: (body: ProjectCreate) => unwrap(client.POST("/v1/projects", { body })),
    onSuccess: () => invalidate(),
  });
}

export function useUpdateProject(projectId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ProjectUpdate) =>
      unwrap(
        client.PUT("/v1/projects/{project_id}", {
          params: { path: { project_id: projectId } },
          body,
        }),
      ),
    onSuccess: async (project) => {
      queryClient.setQueryData(projectKeys.detail(projectId), project);
      await queryClient.invalidateQueries({ queryKey: projectKeys.all });
    },
  });
}

/** Close an open project: its pending proposals are rejected. */
export function useCancelProject(projectId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        client.POST("/v1/projects/{project_id}/cancel", {
          params: { path: { project_id: projectId } },
        }),
      ),
    onSuccess: async (project) => {
      queryClient.setQueryData(projectKeys.detail(projectId), project);
      await queryClient.invalidateQueries({ queryKey: projectKeys.all });
    },
  });
}

export function useInvites(projectId: string, enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.invites(projectId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/projects/{project_id}/invites", {
          params: { path: { project_id: projectId } },
          signal,
        }),
      ),
    enabled,
  });
}

export function useInviteCreator(projectId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (creatorId: string) =>
      unwrap(
        client.POST("/v1/projects/{project_id}/invites", {
          params: { path: { project_id: projectId } },
          body: { creator_id: creatorId },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: projectKeys.invites(projectId) }),
  });
}

export function useRemoveInvite(projectId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (creatorId: string) =>
      unwrap(
        client.DELETE("/v1/projects/{project_id}/invites/{creator_id}", {
          params: { path: { project_id: projectId, creator_id: creatorId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: projectKeys.invites(projectId) }),
  });
}

/** Every proposal for the owner; only their own for a creator. */
export function useProjectProposals(projectId: string, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.proposals(projectId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/projects/{project_id}/proposals", {
          params: { path: { project_id: projectId }, query: { page_size: 100 } },
          signal,
        }),
      ),
    enabled,
  });
}

/** One proposal: the author's, or one sent for the viewer's project. */
export function useProposal(proposalId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["proposals", proposalId],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/proposals/{proposal_id}", {
          params: { path: { proposal_id: proposalId } },
          signal,
        }),
      ),
  });
}

export function useCreateProposal(projectId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ProposalCreate) => unwrap(client.POST("/v1/proposals", { body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: projectKeys.proposals(projectId) });
      await queryClient.invalidateQueries({ queryKey: projectKeys.detail(projectId) });
    },
  });
}

/** A proposal action (withdraw, shortlist, accept, reject): the board and the project refresh. */
function useProposalAction<Variables>(
  projectId: string,
  send: (variables: Variables) => Promise<unknown>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: projectKeys.proposals(projectId) });
      await queryClient.invalidateQueries({ queryKey: projectKeys.detail(projectId) });
    },
  });
}

export function useWithdrawProposal(projectId: string) {
  const { client } = useApi();
  return useProposalAction(projectId, (proposalId: string) =>
    unwrap(
      client.DELETE("/v1/proposals/{proposal_id}", {
        params: { path: { proposal_id: proposalId } },
      }),
    ),
  );
}

export function useShortlist(projectId: string) {
  const { client } = useApi();
  return useProposalAction(projectId, ({ id, on }: { id: string; on: boolean }) => {
    const params = { params: { path: { proposal_id: id } } };
    return unwrap(
      on
        ? client.POST("/v1/proposals/{proposal_id}/shortlist", params)
        : client.DELETE("/v1/proposals/{proposal_id}/shortlist", params),
    );
  });
}

export function useRejectProposal(projectId: string) {
  const { client } = useApi();
  return useProposalAction(projectId, (proposalId: string) =>
    unwrap(
      client.POST("/v1/proposals/{proposal_id}/reject", {
        params: { path: { proposal_id: proposalId } },
      }),
    ),
  );
}

/**
 * Accept a proposal; the API starts an order awaiting payment for it in the same unit of work,
 * planned with the proposal's milestones if it has some, and answers with its `order_id`.
 */
export function useAcceptProposal() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.POST("/v1/proposals/{proposal_id}/accept", {
          params: { path: { proposal_id: id } },
        }),
      ),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: projectKeys.all });
      await queryClient.invalidateQueries({ queryKey: orderKeys.all });
    },
  });
}

/** The proposals I sent, newest first, with their project's title. */
export function useMyProposals(query: MyProposalsQuery, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.mine(query),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/proposals/mine", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

// --- milestones --------------------------------------------------------------------------------

/** An order's milestones; with `pollWhile`, asked again every `pollMs` while it holds (a
 * payment being confirmed). */
export function useMilestones(
  orderId: string,
  pollWhile: ((milestones: MilestoneOut[]) => boolean) | null = null,
  pollMs = 2000,
) {
  const { client } = useApi();
  return useQuery({
    queryKey: projectKeys.milestones(orderId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/orders/{order_id}/milestones", {
          params: { path: { order_id: orderId } },
          signal,
        }),
      ),
    refetchInterval: (query) =>
      pollWhile && query.state.status !== "error" && pollWhile(query.state.data ?? [])
        ? pollMs
        : false,
  });
}

function useMilestoneAction<Variables, Result>(
  orderId: string,
  send: (variables: Variables) => Promise<Result>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: projectKeys.milestones(orderId) });
      await queryClient.invalidateQueries({ queryKey: orderKeys.detail(orderId) });
    },
  });
}

export function usePlanMilestones(orderId: string) {
  const { client } = useApi();
  return useMilestoneAction(orderId, (milestones: MilestoneIn[]) =>
    unwrap(
      client.POST("/v1/orders/{order_id}/milestones", {
        params: { path: { order_id: orderId } },
        body: { milestones },
      }),
    ),
  );
}

/** Change several unfunded milestones' amounts at once (they must keep the order's total). */
export function useRebalanceMilestones(orderId: string) {
  const { client } = useApi();
  return useMilestoneAction(
    orderId,
    (milestones: { id: string; amount: MilestoneIn["amount"] }[]) =>
      unwrap(
        client.PUT("/v1/orders/{order_id}/milestones", {
          params: { path: { order_id: orderId } },
          body: { milestones },
        }),
      ),
  );
}

export function useEditMilestone(orderId: string) {
  const { client } = useApi();
  return useMilestoneAction(orderId, ({ id, body }: { id: string; body: MilestoneEdit }) =>
    unwrap(
      client.PUT("/v1/milestones/{milestone_id}", {
        params: { path: { milestone_id: id } },
        body,
      }),
    ),
  );
}

/** Pay one milestone into escrow: the answer's `checkout_url` is the provider's page. `key` is
 * the Idempotency-Key, one per click on "Fund". */
export function useFundMilestone(orderId: string) {
  const { client } = useApi();
  return useMutation({
    mutationFn: ({ id, key }: { id: string; key: string }) =>
      unwrap(
        client.POST("/v1/milestones/{milestone_id}/fund", {
          params: { path: { milestone_id: id }, header: { "Idempotency-Key": key } },
        }),
      ),
    retry: (failures, error) => failures < 2 && error instanceof ApiError && error.status === 0,
    meta: { orderId },
  });
}

export function useSubmitMilestone(orderId: string) {
  const { client } = useApi();
  return useMilestoneAction(orderId, ({ id, body }: { id: string; body: MilestoneSubmit }) =>
    unwrap(
      client.POST("/v1/milestones/{milestone_id}/submit", {
        params: { path: { milestone_id: id } },
        body,
      }),
    ),
  );
}

export function useApproveMilestone(orderId: string) {
  const { client } = useApi();
  return useMilestoneAction(orderId, (id: string) =>
    unwrap(
      client.POST("/v1/milestones/{milestone_id}/approve", {
        params: { path: { milestone_id: id } },
      }),
    ),
  );
}

/** Send a submitted milestone back to work; `includeOpenComments` bundles the open review
 * threads on its deliveries, as a revision request does. */
export function useRejectMilestone(orderId: string) {
  const { client } = useApi();
  return useMilestoneAction(
    orderId,
    ({
      id,
      reason,
      includeOpenComments = false,
    }: {
      id: string;
      reason: string;
      includeOpenComments?: boolean;
    }) =>
      unwrap(
        client.POST("/v1/milestones/{milestone_id}/reject", {
          params: { path: { milestone_id: id } },
          body: { reason, comment_ids: [], include_open_comments: includeOpenComments },
        }),
      ),
  );
}
