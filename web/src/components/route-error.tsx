import { isRouteErrorResponse, Link, useRouteError } from "react-router";

/** A route that threw, or a page chunk that failed to load (after a deploy, say). */
export function RouteError() {
  const error = useRouteError();
  const missing = isRouteErrorResponse(error) && error.status === 404;
  // A chunk that fails to load after a deploy: a reload fetches the new bundle.
  return (
    <div
      role="alert"
      className="mx-auto flex max-w-md flex-col items-center gap-3 p-10 text-center"
    >
      <h1 className="text-xl font-semibold">
        {missing ? "Page not found" : "Something went wrong"}
      </h1>
      <p className="text-sm text-muted-foreground">
        {missing ? "There is nothing at this address." : "Reload the page to try again."}
      </p>
      <Link to="/" className="text-sm underline" reloadDocument>
        Go to the home page
      </Link>
    </div>
  );
}
