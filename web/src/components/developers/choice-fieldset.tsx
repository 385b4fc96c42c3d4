import { useId, type ReactNode } from "react";
import { cn } from "@/lib/utils";

/**
 * A group of checkboxes choosing several values (an API key's scopes, an endpoint's events), with
 * the group's error under it.
 */
export function ChoiceFieldset<T extends string>({
  legend,
  options,
  chosen,
  onChange,
  error,
  className,
}: {
  legend: string;
  options: { value: T; label: ReactNode }[];
  chosen: T[];
  onChange: (chosen: T[]) => void;
  error?: string;
  /** how the options are laid out, e.g. a grid */
  className?: string;
}) {
  const errorId = useId();
  function toggle(value: T, on: boolean) {
    onChange(on ? [...chosen, value] : chosen.filter((item) => item !== value));
  }
  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      <div className={cn("flex flex-col gap-2", className)}>
        {options.map((option) => (
          <label key={option.value} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              checked={chosen.includes(option.value)}
              onChange={(event) => toggle(option.value, event.target.checked)}
            />
            {option.label}
          </label>
        ))}
      </div>
      {error && (
        <p id={errorId} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </fieldset>
  );
}
