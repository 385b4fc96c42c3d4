/** Uploads on the API (media/router.py): one upload's state, and deleting one. Sending files
 * to storage is src/lib/upload.ts; the <Uploader> component drives it. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components } from "./schema";

export type UploadOut = components["schemas"]["UploadOut"];

export const uploadKeys = {
  upload: (id: string) => ["upload", id] as const,
};

/** How often to look again while the API is still processing a file. */
export const PROCESSING_POLL_MS = 2500;

export function isSettled(upload: UploadOut | undefined): boolean {
  return upload?.state === "ready" || upload?.state === "failed";
}

/** An upload (its owner sees it in every state); with `poll`, read again until it is `ready`
 * or `failed` (processing makes its thumbnail, poster and preview). */
export function useUpload(id: string | null | undefined, { poll = false } = {}) {
  const { client } = useApi();
  return useQuery({
    queryKey: uploadKeys.upload(id ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/uploads/{upload_id}", {
          params: { path: { upload_id: id ?? "" } },
          signal,
        }),
      ),
    enabled: Boolean(id),
    refetchInterval: (query) =>
      poll && !isSettled(query.state.data) && query.state.status !== "error"
        ? PROCESSING_POLL_MS
        : false,
  });
}

export function useDeleteUpload() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(client.DELETE("/v1/uploads/{upload_id}", { params: { path: { upload_id: id } } })),
    onSuccess: (_, id) => queryClient.removeQueries({ queryKey: uploadKeys.upload(id) }),
  });
}
