import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { useSuggestions, type Suggestion } from "@/api/search";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";

const DEBOUNCE_MS = 100;

const KIND_LABELS: Record<Suggestion["kind"], string> = {
  title: "Gig",
  tag: "Tag",
  category: "Category",
  creator: "Creator",
};

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** The typed part plain, the completion bold: "wedd|ing video". */
function Highlighted({ text, typed }: { text: string; typed: string }) {
  const prefix = typed.trim().toLowerCase();
  if (!prefix || !text.toLowerCase().startsWith(prefix)) return <>{text}</>;
  return (
    <>
      {text.slice(0, prefix.length)}
      <strong className="font-semibold">{text.slice(prefix.length)}</strong>
    </>
  );
}

/**
 * A search box with suggestions as one types (`GET /v1/search/suggestions`, 100 ms after the
 * last key; a newer text cancels the older request). The ARIA combobox pattern: ↓/↑ move
 * through the suggestions, Enter searches for the highlighted one (or what is typed), Escape
 * closes the list, then clears the box. On the search page it keeps the current tab.
 */
export function SearchSuggest({
  label,
  placeholder = "Search for video editors, reels, ads…",
  className,
  inputClassName,
  visibleLabel = false,
}: {
  label: string;
  placeholder?: string;
  className?: string;
  inputClassName?: string;
  visibleLabel?: boolean;
}) {
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const onSearchPage = location.pathname === "/search";
  const [text, setText] = useState(() => (onSearchPage ? (params.get("q") ?? "") : ""));
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const id = useId();
  const listId = `${id}-list`;
  const optionId = (index: number) => `${id}-option-${index}`;

  const debounced = useDebounced(text, DEBOUNCE_MS);
  const suggestions = useSuggestions(open ? debounced : "");
  const items = open && text.trim() ? (suggestions.data?.items ?? []) : [];
  const expanded = items.length > 0;

  const search = (query: string) => {
    const q = query.trim();
    if (!q) return;
    const next = new URLSearchParams();
    const tab = onSearchPage ? params.get("type") : null;
    if (tab) next.set("type", tab);
    next.set("q", q);
    setText(q);
    setOpen(false);
    setActive(-1);
    navigate(`/search?${next.toString()}`);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open) setOpen(true);
        else if (expanded) setActive((active + 1) % items.length);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (expanded) setActive(active <= 0 ? items.length - 1 : active - 1);
        break;
      case "Enter": {
        const chosen = expanded ? items[active] : undefined;
        if (chosen) {
          event.preventDefault();
          search(chosen.text);
        }
        break;
      }
      case "Escape":
        if (expanded) {
          event.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (text) {
          event.preventDefault();
          setText("");
        }
        break;
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    search(text);
  };

  return (
    <form
      role="search"
      aria-label={label}
      onSubmit={submit}
      className={cn("relative w-full", className)}
    >
      <label htmlFor={id} className={visibleLabel ? "mb-1.5 block text-sm font-medium" : "sr-only"}>
        {label}
      </label>
      <div className="relative">
        <Input
          id={id}
          type="search"
          name="q"
          role="combobox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            setOpen(false);
            setActive(-1);
          }}
          placeholder={placeholder}
          autoComplete="off"
          enterKeyHint="search"
          className={cn("pr-10", inputClassName)}
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
      </div>
      <ul
        id={listId}
        role="listbox"
        aria-label={`Suggestions for ${label.toLowerCase()}`}
        hidden={!expanded}
        className="absolute inset-x-0 top-full z-50 mt-1 overflow-hidden rounded-md border bg-popover py-1 text-popover-foreground shadow-md"
      >
        {items.map((item, index) => (
          <li
            key={`${item.kind}:${item.text}`}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            // Keep the focus in the box: the click below still chooses.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => search(item.text)}
            onPointerMove={() => index !== active && setActive(index)}
            className={cn(
              "flex cursor-pointer items-center justify-between gap-3 px-3 py-2 text-sm",
              index === active && "bg-accent text-accent-foreground",
            )}
          >
            <span className="truncate">
              <Highlighted text={item.text} typed={debounced} />
            </span>
            <span className="shrink-0 text-xs text-muted-foreground">{KIND_LABELS[item.kind]}</span>
          </li>
        ))}
      </ul>
    </form>
  );
}
