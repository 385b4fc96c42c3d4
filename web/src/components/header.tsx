import { lazy, Suspense } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { loginPath } from "@/auth/next";
import { Avatar } from "@/components/avatar";
import { Button } from "@/components/ui/button";
import { SearchSuggest } from "@/components/search-suggest";

// The menu and the bell (Radix, with its positioning; the bell's socket) are needed only once
// someone is logged in: their own chunks.
const UserMenu = lazy(() => import("@/components/user-menu"));
const NotificationBell = lazy(() => import("@/components/notification-bell"));
const MessagesLink = lazy(() => import("@/components/messages/messages-link"));

function UserMenuPlaceholder() {
  const { user } = useAuth();
  if (!user) return null;
  return (
    <span className="flex h-10 items-center px-2" aria-hidden="true">
      <Avatar name={user.full_name} url={user.avatar_url} className="size-8 text-sm" />
    </span>
  );
}

export function Logo() {
  return (
    <Link
      to="/"
      className="flex shrink-0 items-center gap-2 rounded-md font-semibold tracking-tight"
    >
      <svg viewBox="0 0 32 32" aria-hidden="true" className="size-7">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path d="M12 9v14l11-7z" fill="#fff" />
      </svg>
      <span className="text-lg">ReelByte</span>
    </Link>
  );
}

const AUTH_PAGES = new Set([
  "/login",
  "/signup",
  "/forgot-password",
  "/reset-password",
  "/verify-email",
  "/confirm-email",
]);

export function Header() {
  const { state } = useAuth();
  const location = useLocation();
  const [params] = useSearchParams();
  const searched = location.pathname === "/search" ? (params.get("q") ?? "") : "";
  const here = location.pathname + location.search;
  // No way back to these (a reset link's token must not travel in `next`).
  const onAuthPage = AUTH_PAGES.has(location.pathname);

  return (
    <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur supports-[backdrop-filter]:bg-background/80">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 md:flex-nowrap">
        <Logo />
        <div className="order-last w-full md:order-none md:max-w-xl md:flex-1">
          <SearchSuggest key={searched} label="Search gigs" />
        </div>
        <nav aria-label="Account" className="ml-auto flex items-center gap-2">
          <Button asChild variant="ghost" size="sm" className="hidden lg:inline-flex">
            <Link to="/projects">Projects</Link>
          </Button>
          {state.status === "authenticated" && (
            <>
              <Suspense fallback={<span className="size-10" aria-hidden="true" />}>
                <MessagesLink />
              </Suspense>
              <Suspense fallback={<span className="size-10" aria-hidden="true" />}>
                <NotificationBell />
              </Suspense>
              <Suspense fallback={<UserMenuPlaceholder />}>
                <UserMenu />
              </Suspense>
            </>
          )}
          {state.status === "anonymous" && (
            <>
              <Button asChild variant="ghost" size="sm">
                <Link to={onAuthPage ? "/login" : loginPath(here)}>Log in</Link>
              </Button>
              <Button asChild size="sm">
                <Link to="/signup">Join</Link>
              </Button>
            </>
          )}
          {state.status === "loading" && <span className="h-8 w-24" aria-hidden="true" />}
        </nav>
      </div>
    </header>
  );
}
