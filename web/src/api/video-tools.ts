/**
 * The creator's video tools (src/reelbyte/studio): trims (with an optional re-frame) and
 * auto-hooks of one of my ready videos, run as jobs by the media worker; my jobs with their
 * progress and clips; attaching a clip to my portfolio, a gig's gallery or an order; and my plan's
 * usage (`GET /v1/users/me/usage`). A job over the plan's limit is refused with 402
 * `plan_limit_reached` (or `source_too_long`): the page shows it as an upgrade prompt.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import { isApiError } from "./errors";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type VideoJob = Schemas["VideoJobOut"];
export type VideoJobResult = Schemas["VideoJobResult"];
export type VideoJobState = Schemas["VideoJobState"];
export type TrimRequest = Schemas["TrimRequest"];
export type AutoHooksRequest = Schemas["AutoHooksRequest"];
export type AttachRequest = Schemas["AttachRequest"];
export type Aspect = Schemas["Aspect"];
export type Crop = Schemas["Crop"];
export type UsageOut = Schemas["UsageOut"];
export type MetricUsage = Schemas["MetricUsage"];
export type UploadOut = Schemas["UploadOut"];
export type PlanOut = Schemas["PlanOut"];

export const videoToolKeys = {
  all: ["video-tools"] as const,
  jobs: (page: number) => ["video-tools", "jobs", page] as const,
  job: (id: string) => ["video-tools", "job", id] as const,
  videos: ["video-tools", "videos"] as const,
  usage: ["video-tools", "usage"] as const,
  plans: ["video-tools", "plans"] as const,
};

/** How often a running job is asked again. */
export const JOB_POLL_MS = 1500;

/** Errors that mean the plan stops here (402): worth an upgrade rather than a retry. */
const PLAN_LIMITS = new Set(["plan_limit_reached", "source_too_long"]);

export function isPlanLimit(error: unknown): boolean {
  return isApiError(error) && PLAN_LIMITS.has(error.code);
}

export function isActive(state: VideoJobState): boolean {
  return state === "queued" || state === "running";
}

/** My uploads that the tools take: ready videos (the newest 100). */
export function useMyVideos() {
  const { client } = useApi();
  return useQuery({
    queryKey: videoToolKeys.videos,
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/uploads", { params: { query: { page_size: 100 } }, signal })),
    select: (page) =>
      page.items.filter((upload) => upload.kind === "video" && upload.state === "ready"),
  });
}

/** My jobs, newest first (each running one follows its own `useVideoJob`). */
export function useVideoJobs(page = 1) {
  const { client } = useApi();
  return useQuery({
    queryKey: videoToolKeys.jobs(page),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/video-jobs", { params: { query: { page, page_size: 20 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** One job, asked again every `JOB_POLL_MS` while it is queued or running. */
export function useVideoJob(id: string | null) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: videoToolKeys.job(id ?? ""),
    queryFn: async ({ signal }) => {
      const job = await unwrap(
        client.GET("/v1/video-jobs/{job_id}", {
          params: { path: { job_id: id ?? "" } },
          signal,
        }),
      );
      // A job that finished changes the list and the usage meters.
      if (!isActive(job.state)) {
        void queryClient.invalidateQueries({ queryKey: ["video-tools", "jobs"] });
        void queryClient.invalidateQueries({ queryKey: videoToolKeys.usage });
      }
      return job;
    },
    enabled: id !== null,
    refetchInterval: (query) =>
      query.state.data && !isActive(query.state.data.state) ? false : JOB_POLL_MS,
  });
}

export function useUsage() {
  const { client } = useApi();
  return useQuery({
    queryKey: videoToolKeys.usage,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/users/me/usage", { signal })),
  });
}

function useJobCreated() {
  const queryClient = useQueryClient();
  return async (job: VideoJob) => {
    queryClient.setQueryData(videoToolKeys.job(job.id), job);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ["video-tools", "jobs"] }),
      queryClient.invalidateQueries({ queryKey: videoToolKeys.usage }),
    ]);
  };
}

export function useCreateTrim() {
  const { client } = useApi();
  const created = useJobCreated();
  return useMutation({
    mutationFn: (body: TrimRequest) => unwrap(client.POST("/v1/video-jobs/trim", { body })),
    onSuccess: created,
  });
}

export function useCreateHooks() {
  const { client } = useApi();
  const created = useJobCreated();
  return useMutation({
    mutationFn: (body: AutoHooksRequest) =>
      unwrap(client.POST("/v1/video-jobs/auto-hooks", { body })),
    onSuccess: created,
  });
}

/** Cancel a queued or running job, or delete a finished one with its clips. */
export function useDeleteJob() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(client.DELETE("/v1/video-jobs/{job_id}", { params: { path: { job_id: id } } })),
    onSuccess: async (_, id) => {
      queryClient.removeQueries({ queryKey: videoToolKeys.job(id) });
      await queryClient.invalidateQueries({ queryKey: videoToolKeys.all });
    },
  });
}

/** A clip's signed, short-lived URL (to play or download it). */
export function useResultUrl(jobId: string, index: number, enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["video-tools", "result-url", jobId, index],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/video-jobs/{job_id}/download", {
          params: { path: { job_id: jobId }, query: { result: index } },
          signal,
        }),
      ),
    enabled,
    staleTime: 4 * 60_000, // signed for a while: ask again before it runs out
  });
}

export function useAttachResult(jobId: string) {
  const { client } = useApi();
  return useMutation({
    mutationFn: ({ index, body }: { index: number; body: AttachRequest }) =>
      unwrap(
        client.POST("/v1/video-jobs/{job_id}/results/{index}/attach", {
          params: { path: { job_id: jobId, index } },
          body,
        }),
      ),
  });
}

/** The plans on offer, to upgrade to when a limit is reached. */
export function usePlans(enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: videoToolKeys.plans,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/billing/plans", { signal })),
    enabled,
    staleTime: 10 * 60_000,
  });
}

/** Subscribe to a paid plan: the answer's `checkout_url` is the provider's page. */
export function usePlanCheckout() {
  const { client } = useApi();
  return useMutation({
    mutationFn: (plan: string) => unwrap(client.POST("/v1/billing/checkout", { body: { plan } })),
  });
}

/** The provider's portal for my subscription (to change plan when I already pay for one). */
export function useBillingPortal() {
  const { client } = useApi();
  return useMutation({
    mutationFn: () => unwrap(client.POST("/v1/billing/portal")),
  });
}
