import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { formatMoney } from "@/lib/format";
import { checkSplit, money, type Currency, type MilestoneDraft } from "./model";

/** Rows of milestone titles and amounts, with the live sum against the total they must make. */
export function MilestoneRows({
  idPrefix,
  rows,
  onChange,
  totalCents,
  currency,
  fixedRows = false,
  lockedRows = [],
}: {
  idPrefix: string;
  rows: MilestoneDraft[];
  onChange: (rows: MilestoneDraft[]) => void;
  /** What the amounts must add up to (null: not known yet, e.g. no price typed). */
  totalCents: number | null;
  currency: Currency;
  /** Amounts only: no adding, removing or renaming (rebalancing existing milestones). */
  fixedRows?: boolean;
  /** Rows that cannot change (funded milestones). */
  lockedRows?: number[];
}) {
  const split = checkSplit(rows, totalCents);
  const set = (index: number, change: Partial<MilestoneDraft>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));

  return (
    <div className="flex flex-col gap-3">
      <ol className="flex flex-col gap-3">
        {rows.map((row, index) => {
          const locked = lockedRows.includes(index);
          const invalid = split.invalid.includes(index) && row.amount !== "";
          return (
            <li key={index} className="grid grid-cols-[1fr_8rem_auto] items-end gap-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${idPrefix}-title-${index}`}>Milestone {index + 1} title</Label>
                <Input
                  id={`${idPrefix}-title-${index}`}
                  value={row.title}
                  maxLength={200}
                  disabled={fixedRows || locked}
                  onChange={(event) => set(index, { title: event.target.value })}
                />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${idPrefix}-amount-${index}`}>Amount ({currency})</Label>
                <Input
                  id={`${idPrefix}-amount-${index}`}
                  inputMode="decimal"
                  value={row.amount}
                  disabled={locked}
                  aria-invalid={invalid ? true : undefined}
                  onChange={(event) => set(index, { amount: event.target.value })}
                />
              </div>
              {!fixedRows ? (
                <Button
                  type="button"
                  variant="ghost"
                  size="sm"
                  onClick={() => onChange(rows.filter((_, at) => at !== index))}
                  aria-label={`Remove milestone ${index + 1}`}
                >
                  Remove
                </Button>
              ) : (
                <span />
              )}
            </li>
          );
        })}
      </ol>
      {!fixedRows && (
        <Button
          type="button"
          variant="outline"
          size="sm"
          className="self-start"
          onClick={() => onChange([...rows, { title: "", amount: "" }])}
          disabled={rows.length >= 20}
        >
          Add a milestone
        </Button>
      )}
      {rows.length > 0 && (
        <p
          aria-live="polite"
          className={
            split.remaining === 0 && split.invalid.length === 0
              ? "text-sm text-emerald-700"
              : "text-sm text-amber-700"
          }
        >
          {totalCents === null
            ? `Milestones total ${formatMoney(money(split.sum, currency))}.`
            : split.remaining === 0
              ? `Milestones add up to ${formatMoney(money(totalCents, currency))}.`
              : split.remaining > 0
                ? `Milestones total ${formatMoney(money(split.sum, currency))} of ${formatMoney(
                    money(totalCents, currency),
                  )}: ${formatMoney(money(split.remaining, currency))} left to assign.`
                : `Milestones total ${formatMoney(money(split.sum, currency))}: ${formatMoney(
                    money(-split.remaining, currency),
                  )} more than ${formatMoney(money(totalCents, currency))}.`}
        </p>
      )}
    </div>
  );
}
