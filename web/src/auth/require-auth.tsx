import { Navigate, Outlet, useLocation } from "react-router";
import { PageLoading } from "@/components/states";
import { useAuth } from "./auth-context";
import { loginPath } from "./next";

/** A layout route: its children need a logged-in user; others go to /login?next=… and back. */
export function RequireAuth() {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === "loading") return <PageLoading label="Checking your session" />;
  if (state.status === "anonymous") {
    // A deleted account has nothing to log back into.
    if (state.reason === "account_deleted") return <Navigate to="/" replace />;
    return <Navigate to={loginPath(location.pathname + location.search + location.hash)} replace />;
  }
  return <Outlet />;
}
