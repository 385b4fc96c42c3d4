/** My login sessions beyond one at a time (the list and ending one: account.ts). */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { LoginSession } from "./account";

const sessionsKey = ["me", "sessions"] as const;

/** Log out every session but this one. The API ends them one by one (there is no bulk route);
 * the ones that could not be ended are reported by the error, the list is loaded again. */
export function useEndOtherSessions() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (sessions: LoginSession[]) => {
      const others = sessions.filter((session) => !session.current);
      const results = await Promise.allSettled(
        others.map((session) =>
          unwrap(
            client.DELETE("/v1/users/me/sessions/{session_id}", {
              params: { path: { session_id: session.id } },
            }),
          ),
        ),
      );
      const failed = results.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
      return others.length;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}
