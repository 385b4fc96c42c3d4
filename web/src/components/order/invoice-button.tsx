import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { useInvoice } from "@/api/orders";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";

/** Hand a downloaded file to the browser: saved under `filename` (or opened by the PDF viewer). */
function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; give the browser a moment before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The order's PDF invoice, fetched with the session (a plain link would not be logged in). */
export function InvoiceButton({ orderId }: { orderId: string }) {
  const invoice = useInvoice(orderId);
  const [failure, setFailure] = useState<string | null>(null);

  async function download() {
    setFailure(null);
    try {
      const { blob, filename } = await invoice.mutateAsync();
      saveFile(blob, filename);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <div className="flex flex-col gap-1">
      <Button
        variant="outline"
        size="sm"
        className="self-start"
        disabled={invoice.isPending}
        onClick={() => void download()}
      >
        {invoice.isPending && <Spinner className="size-3" />}
        Download invoice (PDF)
      </Button>
      {failure && (
        <p role="alert" className="text-sm text-destructive">
          {failure}
        </p>
      )}
    </div>
  );
}
