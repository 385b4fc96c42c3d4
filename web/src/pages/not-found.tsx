import { Link } from "react-router";
import { EmptyState } from "@/components/states";

export function Component() {
  return (
    <EmptyState title="Page not found" className="my-10">
      <title>Page not found · ReelByte</title>
      <p>
        There is nothing at this address.{" "}
        <Link to="/" className="underline">
          Go to the home page
        </Link>
        .
      </p>
    </EmptyState>
  );
}
Component.displayName = "NotFoundPage";
