/** My account (src/reelbyte/identity/router.py): my profile and its changes, e-mail
 * verification and change, and the password reset that starts from an e-mailed link. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useAuth } from "@/auth/auth-context";
import { unwrap } from "./client";
import { ApiError, isApiError } from "./errors";
import { useApi } from "./context";
import { queryKeys, type PrivateProfile } from "./queries";
import type { components } from "./schema";

export type ProfileUpdate = components["schemas"]["ProfileUpdate"];
export type ResetPasswordRequest = components["schemas"]["ResetPasswordRequest"];
export type UploadOut = components["schemas"]["UploadOut"];
export type LoginSession = components["schemas"]["LoginSession"];
export type EmailChangeRequest = components["schemas"]["EmailChangeRequest"];

const sessionsKey = ["me", "sessions"] as const;

/** My profile as the API has it now (starts from the one the session loaded). */
export function useMe() {
  const { client } = useApi();
  const { user } = useAuth();
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/users/me", { signal })),
    enabled: user !== null,
    initialData: user ?? undefined,
  });
}

/** `PUT /v1/users/me`: only the fields sent change. The answer replaces the cached profile. */
export function useUpdateProfile() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: ProfileUpdate) => unwrap(client.PUT("/v1/users/me", { body: changes })),
    onSuccess: (profile: PrivateProfile) => {
      queryClient.setQueryData(queryKeys.me, profile);
      return queryClient.invalidateQueries({ queryKey: queryKeys.user(profile.id) });
    },
  });
}

/** `POST /v1/users/me/password`: every other session ends, this one stays. */
export function useChangePassword() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(client.POST("/v1/users/me/password", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}

/** Where I am logged in: my live sessions, the most recently used first. */
export function useSessions() {
  const { client } = useApi();
  return useQuery({
    queryKey: sessionsKey,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/users/me/sessions", { signal })),
  });
}

/** Log one of my other sessions out. */
export function useEndSession() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrap(
        client.DELETE("/v1/users/me/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}

/** `POST /v1/users/me/role`: a client (or creator) becomes both; the same session works in the
 * new role at once. */
export function useBecomeHybrid() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST("/v1/users/me/role", { body: { role: "hybrid" } })),
    onSuccess: (profile: PrivateProfile) => queryClient.setQueryData(queryKeys.me, profile),
  });
}

/** `POST /v1/auth/resend-verification`. An `already_verified` refusal means the cached profile
 * is behind (the link was followed elsewhere): it is loaded again. */
export function useResendVerification() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST("/v1/auth/resend-verification", {})),
    onError: (error) => {
      if (isApiError(error, "already_verified"))
        return queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}

/** A followed link's answer replaces only my own profile: the link may be another account's. */
function useReplaceMine() {
  const queryClient = useQueryClient();
  return (profile: PrivateProfile) => {
    const mine = queryClient.getQueryData<PrivateProfile>(queryKeys.me);
    if (mine?.id === profile.id) queryClient.setQueryData(queryKeys.me, profile);
  };
}

export function useVerifyEmail() {
  const { client } = useApi();
  const replaceMine = useReplaceMine();
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(client.POST("/v1/auth/verify-email", { body: { token } })),
    onSuccess: replaceMine,
  });
}

/** `POST /v1/users/me/email`: a link goes to the new address; the account keeps the old one
 * until the link is followed. */
export function useChangeEmail() {
  const { client } = useApi();
  return useMutation({
    mutationFn: (body: EmailChangeRequest) => unwrap(client.POST("/v1/users/me/email", { body })),
  });
}

/** `POST /v1/auth/confirm-email`: the link sent to a new address moves the account there. */
export function useConfirmEmailChange() {
  const { client } = useApi();
  const replaceMine = useReplaceMine();
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(client.POST("/v1/auth/confirm-email", { body: { token } })),
    onSuccess: replaceMine,
  });
}

export function useForgotPassword() {
  const { client } = useApi();
  return useMutation({
    mutationFn: (email: string) =>
      unwrap(client.POST("/v1/auth/forgot-password", { body: { email } })),
  });
}

export function useResetPassword() {
  const { client } = useApi();
  return useMutation({
    mutationFn: (body: ResetPasswordRequest) =>
      unwrap(client.POST("/v1/auth/reset-password", { body })),
  });
}

/** Wait while an upload is processed: attaching it is refused (409 `upload_not_ready`) before. */
async function whenReady(
  client: ReturnType<typeof useApi>["client"],
  upload: UploadOut,
  pollMs: number,
): Promise<UploadOut> {
  let current = upload;
  for (let tries = 0; current.state === "pending" || current.state === "processing"; tries++) {
    if (tries >= 80) {
      throw new ApiError(409, {
        error: "upload_not_ready",
        message: "The picture is taking too long to process. Try again in a moment.",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    current = await unwrap(
      client.GET("/v1/uploads/{upload_id}", { params: { path: { upload_id: current.id } } }),
    );
  }
  if (current.state === "failed") {
    throw new ApiError(422, {
      error: "upload_failed",
      message: current.failure_reason ?? "The picture could not be processed.",
    });
  }
  return current;
}

/** A new profile picture: the uploaded image once processed, or `null` to remove it. */
export function useSetAvatar({ pollMs = 1500 }: { pollMs?: number } = {}) {
  const { client } = useApi();
  const update = useUpdateProfile();
  return useMutation({
    mutationFn: async (upload: UploadOut | null) => {
      if (upload === null) return update.mutateAsync({ avatar_url: null });
      const ready = await whenReady(client, upload, pollMs);
      return update.mutateAsync({ avatar_upload_id: ready.id });
    },
  });
}
