import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { unwrap } from "@/api/client";
import { useApi } from "@/api/context";
import { queryKeys } from "@/api/queries";
import { AuthContext, type Auth, type AuthState, type RegisterRequest } from "./auth-context";

/** Who is logged in: restores the session from the refresh cookie at start, follows the
 * session's events (a refused refresh, a log in or out in another tab) and clears private data
 * when a session ends. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [state, setState] = useState<AuthState>({ status: "loading" });
  const status = useRef<AuthState["status"]>("loading");
  useEffect(() => {
    status.current = state.status;
  }, [state.status]);

  const loadUser = useCallback(async () => {
    const user = await queryClient.fetchQuery({
      queryKey: queryKeys.me,
      queryFn: () => unwrap(api.client.GET("/v1/users/me", {})),
      staleTime: 0,
    });
    setState({ status: "authenticated", user });
  }, [api, queryClient]);

  useEffect(() => {
    let active = true;
    const unsubscribe = api.session.subscribe((event) => {
      if (event.type === "ended") {
        queryClient.clear();
        setState({ status: "anonymous", reason: event.reason, message: event.message });
      } else if (event.type === "refreshed" && status.current === "anonymous") {
        void loadUser().catch(() => undefined); // logged in from another tab
      }
    });
    void api.restore().then(async (restored) => {
      if (!active || status.current !== "loading") return;
      if (!restored) {
        // Keep why, if the refused refresh said (a suspension's reason).
        setState((now) => (now.status === "anonymous" ? now : { status: "anonymous" }));
        return;
      }
      try {
        await loadUser();
      } catch {
        if (active) setState({ status: "anonymous" });
      }
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, queryClient, loadUser]);

  // The profile as the `me` query holds it now: a saved profile or a new avatar shows at once.
  const me = useQuery({
    queryKey: queryKeys.me,
    queryFn: () => unwrap(api.client.GET("/v1/users/me", {})),
    enabled: state.status === "authenticated",
    staleTime: Infinity,
  });
  const current = useMemo<AuthState>(
    () =>
      state.status === "authenticated" && me.data
        ? { status: "authenticated", user: me.data }
        : state,
    [state, me.data],
  );

  const auth = useMemo<Auth>(
    () => ({
      state: current,
      user: current.status === "authenticated" ? current.user : null,
      async login(email, password) {
        await api.login({ email, password });
        await loadUser();
      },
      async register(data: RegisterRequest) {
        await unwrap(api.client.POST("/v1/auth/register", { body: data }));
        await api.login({ email: data.email, password: data.password });
        await loadUser();
      },
      async logout() {
        await api.logout();
      },
    }),
    [api, current, loadUser],
  );

  return <AuthContext value={auth}>{children}</AuthContext>;
}
