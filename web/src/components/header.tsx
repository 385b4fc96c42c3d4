import { lazy, Suspense, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { loginPath } from "@/auth/next";
import { Avatar } from "@/components/avatar";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

// The menu (Radix, with its positioning) is needed only once someone is logged in: its own chunk.
const UserMenu = lazy(() => import("@/components/user-menu"));

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

/** `initial`: the search in the URL; the header remounts the box when it changes. */
function SearchBox({ initial }: { initial: string }) {
  const navigate = useNavigate();
  const [query, setQuery] = useState(initial);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
  };

  return (
    <form role="search" onSubmit={submit} className="relative w-full">
      <label htmlFor="site-search" className="sr-only">
        Search gigs
      </label>
      <Input
        id="site-search"
        type="search"
        name="q"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        placeholder="Search for video editors, reels, ads…"
        autoComplete="off"
        enterKeyHint="search"
        className="pr-10"
      />
      <button
        type="submit"
        className="absolute inset-y-0 right-0 flex w-10 items-center justify-center rounded-r-md text-muted-foreground hover:text-foreground"
      >
        <svg viewBox="0 0 20 20" aria-hidden="true" className="size-4">
          <path
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            d="M8.5 15a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zm4.8-1.7L18 18"
          />
        </svg>
        <span className="sr-only">Search</span>
      </button>
    </form>
  );
}

export function Header() {
  const { state } = useAuth();
  const location = useLocation();
  const [params] = useSearchParams();
  const searched = location.pathname === "/search" ? (params.get("q") ?? "") : "";
  const here = location.pathname + location.search;
  const onAuthPage = location.pathname === "/login" || location.pathname === "/signup";

  return (
    <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur supports-[backdrop-filter]:bg-background/80">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 md:flex-nowrap">
        <Logo />
        <div className="order-last w-full md:order-none md:max-w-xl md:flex-1">
          <SearchBox key={searched} initial={searched} />
        </div>
        <nav aria-label="Account" className="ml-auto flex items-center gap-2">
          {state.status === "authenticated" && (
            <Suspense fallback={<UserMenuPlaceholder />}>
              <UserMenu />
            </Suspense>
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
