import { useEffect, useRef } from "react";
import { Reveal } from "@/components/motion";

/** A success message at the top of a page, announced and focused once. */
export function Notice({ message }: { message: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  if (!message) return null;
  return (
    <Reveal>
      <div
        ref={ref}
        role="status"
        tabIndex={-1}
        className="rounded-md border border-primary/30 bg-accent px-4 py-3 text-sm text-accent-foreground outline-none"
      >
        {message}
      </div>
    </Reveal>
  );
}
