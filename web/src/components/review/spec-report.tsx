import type { SpecReport, SpecStatus } from "@/api/review";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { checkLabel, measuredText } from "./review-model";

const STATUS: Record<SpecStatus, { label: string; variant: BadgeProps["variant"] }> = {
  passed: { label: "Passed", variant: "success" },
  warned: { label: "Warning", variant: "warning" },
  failed: { label: "Failed", variant: "destructive" },
  info: { label: "Info", variant: "info" },
};

/** The outcome of a check, as a badge. */
export function SpecStatusBadge({ status, prefix }: { status: SpecStatus; prefix?: string }) {
  const { label, variant } = STATUS[status];
  return <Badge variant={variant}>{prefix ? `${prefix}: ${label.toLowerCase()}` : label}</Badge>;
}

/** A delivered video measured against its package's spec: each item passed, warned or failed
 * with what the file measured. */
export function SpecReportView({ report, headingId }: { report: SpecReport; headingId: string }) {
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-2 rounded-xl border p-3">
      <h4 id={headingId} className="flex items-center justify-between gap-2 text-sm font-semibold">
        Spec check
        <SpecStatusBadge status={report.status} />
      </h4>
      {report.error ? (
        <p className="text-sm text-muted-foreground">
          The file could not be measured: {report.error}
        </p>
      ) : report.items.length === 0 ? (
        <p className="text-sm text-muted-foreground">The package asks for no particular spec.</p>
      ) : (
        <ul className="flex flex-col divide-y text-sm">
          {report.items.map((item) => (
            <li key={item.check} className="flex flex-col gap-0.5 py-2">
              <span className="flex items-center justify-between gap-2">
                <span className="font-medium">{checkLabel(item.check)}</span>
                <SpecStatusBadge status={item.status} />
              </span>
              <span className="text-muted-foreground">
                Measured <span className="font-medium text-foreground">{measuredText(item)}</span>
                {item.expected && <> · asked {item.expected}</>}
              </span>
              {(item.status === "warned" || item.status === "failed") && (
                <span className="text-xs">{item.message}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {!report.spec && !report.error && (
        <p className="text-xs text-muted-foreground">
          No spec was set on this package: the figures are for information.
        </p>
      )}
    </section>
  );
}
