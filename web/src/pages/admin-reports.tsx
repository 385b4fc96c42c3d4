import { ReportQueue } from "@/components/admin/report-queue";

/** Admin: what users reported, with the content in context and one-click actions. */
export function Component() {
  return (
    <section aria-labelledby="admin-reports" className="flex flex-col gap-4">
      <title>Reports · Admin · ReelByte</title>
      <div>
        <h1 id="admin-reports" className="text-2xl font-bold tracking-tight">
          Reports
        </h1>
        <p className="text-sm text-muted-foreground">
          One action settles every open report on the same content.
        </p>
      </div>
      <ReportQueue label="Reports" />
    </section>
  );
}
Component.displayName = "AdminReportsPage";
