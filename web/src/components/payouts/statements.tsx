import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { useStatement } from "@/api/payouts";
import { saveFile } from "@/components/payouts/save-file";
import { SelectField } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { monthName, recentMonths } from "./format";

/** Pick a month and download its statement (PDF or CSV), fetched with the session. */
export function Statements() {
  const [months] = useState(() => recentMonths(new Date()));
  const [month, setMonth] = useState(months[0] ?? "");
  const statement = useStatement();
  const [format, setFormat] = useState<"pdf" | "csv" | null>(null);

  function download(kind: "pdf" | "csv") {
    setFormat(kind);
    statement.mutate(
      { month, format: kind },
      { onSuccess: ({ blob, filename }) => saveFile(blob, filename) },
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <SelectField
        label="Month"
        value={month}
        hint="Opening balance, earnings, fees, refunds, payouts and closing balance."
        onChange={(event) => setMonth(event.target.value)}
      >
        {months.map((item) => (
          <option key={item} value={item}>
            {monthName(item)}
          </option>
        ))}
      </SelectField>
      <div className="flex flex-wrap gap-2">
        {(["pdf", "csv"] as const).map((kind) => (
          <Button
            key={kind}
            variant="outline"
            disabled={statement.isPending}
            onClick={() => download(kind)}
          >
            {statement.isPending && format === kind && <Spinner className="size-3" />}
            Download {kind.toUpperCase()}
          </Button>
        ))}
      </div>
      {statement.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(statement.error)}
        </p>
      )}
    </div>
  );
}
