import { useState, type FormEvent } from "react";
import { errorMessage, isApiError } from "@/api/errors";
import { usePayoutSchedule, useSetPayoutSchedule, type PayoutSchedule } from "@/api/payouts";
import { FormAlert, SelectField, SubmitButton } from "@/components/form-field";
import { ErrorState } from "@/components/states";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDate } from "@/lib/format";
import { describeSchedule, WEEKDAYS, type Interval } from "./format";

function ScheduleEditor({ schedule }: { schedule: PayoutSchedule }) {
  const save = useSetPayoutSchedule();
  const [interval, setInterval] = useState<Interval>(schedule.interval);
  const [weekday, setWeekday] = useState(schedule.weekday ?? 1);
  const [day, setDay] = useState(schedule.day_of_month ?? 1);
  const [saved, setSaved] = useState(false);
  const fields = isApiError(save.error) ? save.error.fieldErrors : {};

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const body =
      interval === "weekly"
        ? { interval, weekday }
        : interval === "monthly"
          ? { interval, day_of_month: day }
          : { interval };
    save.mutate(body, { onSuccess: () => setSaved(true) });
  }

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Payout schedule">
      <p className="text-sm" aria-live="polite">
        {describeSchedule(schedule)}
        {schedule.next_payout_on && ` Next payout: ${formatDate(schedule.next_payout_on)}.`}
      </p>
      <FormAlert
        message={save.isError && !Object.keys(fields).length ? errorMessage(save.error) : null}
      />
      <SelectField
        label="Pay out"
        value={interval}
        onChange={(event) => {
          setInterval(event.target.value as Interval);
          setSaved(false);
        }}
      >
        <option value="manual">Manually (I withdraw)</option>
        <option value="weekly">Weekly</option>
        <option value="monthly">Monthly</option>
      </SelectField>
      {interval === "weekly" && (
        <SelectField
          label="On"
          value={weekday}
          error={fields.weekday}
          onChange={(event) => setWeekday(Number(event.target.value))}
        >
          {WEEKDAYS.map((name, index) => (
            <option key={name} value={index + 1}>
              {name}
            </option>
          ))}
        </SelectField>
      )}
      {interval === "monthly" && (
        <SelectField
          label="On day"
          value={day}
          error={fields.day_of_month}
          hint="The month's last day in shorter months."
          onChange={(event) => setDay(Number(event.target.value))}
        >
          {Array.from({ length: 31 }, (_, index) => (
            <option key={index} value={index + 1}>
              {index + 1}
            </option>
          ))}
        </SelectField>
      )}
      <div className="flex items-center gap-3">
        <SubmitButton busy={save.isPending}>Save schedule</SubmitButton>
        {saved && (
          <span role="status" className="text-sm text-muted-foreground">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

export function ScheduleForm() {
  const schedule = usePayoutSchedule();
  if (schedule.isPending)
    return <Skeleton className="h-32" role="status" aria-label="Loading your payout schedule" />;
  if (schedule.isError)
    return (
      <ErrorState
        error={schedule.error}
        title="Could not load your payout schedule"
        onRetry={() => void schedule.refetch()}
      />
    );
  return <ScheduleEditor schedule={schedule.data} />;
}
