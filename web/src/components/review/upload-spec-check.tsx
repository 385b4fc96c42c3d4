import { useEffect, useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { unwrap } from "@/api/client";
import { useApi } from "@/api/context";
import type { UploadOut } from "@/api/orders";
import { Spinner } from "@/components/states";
import { SpecReportView, SpecStatusBadge } from "./spec-report";

const POLL_MS = 3000;
/** The check runs in the worker after processing; stop asking after this long. */
const GIVE_UP_MS = 3 * 60_000;

/** A delivery video's spec check, shown to its creator as soon as it ran (before the client
 * sees the delivery, so a failing file can be fixed first). */
export function UploadSpecCheck({ upload }: { upload: UploadOut }) {
  const { client } = useApi();
  const headingId = useId();
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setGaveUp(true), GIVE_UP_MS);
    return () => clearTimeout(timer);
  }, []);
  const check = useQuery({
    queryKey: ["review", "spec", upload.id],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/uploads/{upload_id}", {
          params: { path: { upload_id: upload.id } },
          signal,
        }),
      ),
    initialData: upload.spec_report ? upload : undefined,
    refetchInterval: (query) => (query.state.data?.spec_report || gaveUp ? false : POLL_MS),
  });
  const report = check.data?.spec_report;
  if (!report) {
    if (gaveUp) return null;
    return (
      <span className="flex items-center gap-1 text-xs text-muted-foreground">
        <Spinner className="size-3" /> Checking the spec…
      </span>
    );
  }
  return (
    <details className="w-full basis-full text-sm">
      <summary className="cursor-pointer">
        <SpecStatusBadge status={report.status} prefix="Spec check" />
      </summary>
      <div className="mt-2">
        <SpecReportView report={report} headingId={headingId} />
      </div>
    </details>
  );
}
