import { Link, Outlet, ScrollRestoration, useNavigation } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { VerifyEmailBanner } from "@/components/email-not-verified";
import { Header } from "@/components/header";
import { PageTransition } from "@/components/motion";

const ENDED: Record<string, string> = {
  refresh_token_reused:
    "For your safety your session was ended: it was used from somewhere else. Log in again.",
  session_revoked: "Your session has ended. Log in again.",
  refresh_token_expired: "Your session has expired. Log in again.",
  ended_elsewhere: "You logged out in another tab.",
  account_suspended: "Your account has been suspended: log in to see why.",
  account_deleted: "Your account has been deleted.",
};

function SessionNotice() {
  const { state } = useAuth();
  const text = state.status === "anonymous" && state.reason ? ENDED[state.reason] : undefined;
  if (!text) return null;
  return (
    <div
      role="status"
      className="border-b bg-accent px-4 py-2 text-center text-sm text-accent-foreground"
    >
      {text}{" "}
      <Link to="/login" className="font-medium underline underline-offset-4">
        Log in
      </Link>
    </div>
  );
}

export function Layout() {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <div
        aria-hidden="true"
        className={`fixed inset-x-0 top-0 z-50 h-0.5 origin-left bg-primary transition-transform duration-500 ${busy ? "scale-x-75" : "scale-x-0"}`}
      />
      <Header />
      <SessionNotice />
      <VerifyEmailBanner />
      <main
        id="main"
        tabIndex={-1}
        className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 outline-none md:py-8"
      >
        <PageTransition>
          <Outlet />
        </PageTransition>
      </main>
      <footer className="border-t">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-2 px-4 py-6 text-sm text-muted-foreground">
          <span>© ReelByte</span>
          <a href="/docs" className="hover:text-foreground">
            API docs
          </a>
        </div>
      </footer>
      <ScrollRestoration />
    </div>
  );
}
