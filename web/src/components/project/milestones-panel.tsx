import { useEffect, useState, type FormEvent } from "react";
import { errorMessage } from "@/api/errors";
import { usePayment, useUploadStates, type OrderDetail, type UploadOut } from "@/api/orders";
import {
  useApproveMilestone,
  useEditMilestone,
  useFundMilestone,
  useMilestones,
  usePlanMilestones,
  useRebalanceMilestones,
  useRejectMilestone,
  useSubmitMilestone,
  type MilestoneOut,
} from "@/api/projects";
import { FormAlert, FormField, SubmitButton, TextareaField } from "@/components/form-field";
import { externalNavigation } from "@/components/order/external-navigation";
import { LoadingBlock } from "@/components/order/loading-block";
import type { Side } from "@/components/order/status-model";
import { ErrorState, Spinner } from "@/components/states";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Uploader } from "@/components/uploader";
import { formatDate, formatMoney } from "@/lib/format";
import { ConfirmDialog } from "./confirm-dialog";
import { MilestoneRows } from "./milestone-rows";
import { checkSplit, fromCents, money, toCents, type MilestoneDraft } from "./model";

const POLL_MS = 2000;
const CONFIRM_TIMEOUT_MS = 60_000;
const UNPAID = new Set(["failed", "canceled", "expired"]);

const STATUS: Record<string, { label: string; variant: BadgeProps["variant"] }> = {
  pending: { label: "Not funded", variant: "outline" },
  funded: { label: "Funded", variant: "info" },
  submitted: { label: "Submitted", variant: "warning" },
  approved: { label: "Approved", variant: "success" },
  cancelled: { label: "Cancelled", variant: "secondary" },
};

function MilestoneStatus({ status }: { status: string }) {
  const known = STATUS[status];
  return (
    <Badge variant={known?.variant ?? "outline"}>
      {known?.label ?? status.replaceAll("_", " ")}
    </Badge>
  );
}

/** Split an unpaid proposal order into milestones adding up to its amount. */
function PlanForm({ order }: { order: OrderDetail }) {
  const plan = usePlanMilestones(order.id);
  const [rows, setRows] = useState<MilestoneDraft[]>([
    { title: "", amount: "" },
    { title: "", amount: "" },
  ]);
  const [failure, setFailure] = useState<string | null>(null);
  const total = toCents(order.amount.value);
  const split = checkSplit(rows, total);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      await plan.mutateAsync(
        rows.map((row) => ({
          title: row.title.trim(),
          amount: { currency: order.amount.currency, value: fromCents(toCents(row.amount) ?? 0) },
        })),
      );
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="flex flex-col gap-3">
      <p className="text-sm text-muted-foreground">
        Pay and approve the work step by step: split the order’s {formatMoney(order.amount)} into
        milestones before the first payment.
      </p>
      <MilestoneRows
        idPrefix="plan-milestone"
        rows={rows}
        onChange={setRows}
        totalCents={total}
        currency={order.amount.currency}
      />
      <FormAlert message={failure} />
      <SubmitButton busy={plan.isPending} disabled={!split.ok} className="self-start">
        Plan milestones
      </SubmitButton>
    </form>
  );
}

/** The client changes the unfunded milestones' amounts; the funded ones stay. */
function RebalanceForm({
  order,
  milestones,
  onDone,
}: {
  order: OrderDetail;
  milestones: MilestoneOut[];
  onDone: () => void;
}) {
  const rebalance = useRebalanceMilestones(order.id);
  const active = milestones.filter((item) => item.status !== "cancelled");
  const [rows, setRows] = useState<MilestoneDraft[]>(
    active.map((item) => ({ title: item.title, amount: item.amount.value })),
  );
  const [failure, setFailure] = useState<string | null>(null);
  const locked = active.flatMap((item, index) => (item.status === "pending" ? [] : [index]));
  const split = checkSplit(rows, toCents(order.amount.value));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      await rebalance.mutateAsync(
        active.flatMap((item, index) =>
          item.status === "pending"
            ? [
                {
                  id: item.id,
                  amount: {
                    currency: order.amount.currency,
                    value: fromCents(toCents(rows[index]?.amount ?? "") ?? 0),
                  },
                },
              ]
            : [],
        ),
      );
      onDone();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Change the amounts"
      className="flex flex-col gap-3 rounded-xl border p-4"
    >
      <MilestoneRows
        idPrefix="rebalance-milestone"
        rows={rows}
        onChange={setRows}
        totalCents={toCents(order.amount.value)}
        currency={order.amount.currency}
        fixedRows
        lockedRows={locked}
      />
      <FormAlert message={failure} />
      <div className="flex gap-2">
        <SubmitButton busy={rebalance.isPending} disabled={!split.ok}>
          Save amounts
        </SubmitButton>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** The client renames an unfunded milestone, or changes its description and due date. */
function EditForm({
  order,
  milestone,
  onDone,
}: {
  order: OrderDetail;
  milestone: MilestoneOut;
  onDone: () => void;
}) {
  const edit = useEditMilestone(order.id);
  const [title, setTitle] = useState(milestone.title);
  const [description, setDescription] = useState(milestone.description ?? "");
  const [due, setDue] = useState(milestone.due_date?.slice(0, 10) ?? "");
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (!title.trim()) {
      setFailure("Give the milestone a title.");
      return;
    }
    try {
      await edit.mutateAsync({
        id: milestone.id,
        body: {
          title: title.trim(),
          description: description.trim() || null,
          due_date: due || null,
        },
      });
      onDone();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="flex flex-col gap-3">
      <FormField
        label="Title"
        value={title}
        maxLength={200}
        onChange={(event) => setTitle(event.target.value)}
      />
      <TextareaField
        label="Description"
        rows={3}
        value={description}
        onChange={(event) => setDescription(event.target.value)}
      />
      <FormField
        label="Due date"
        type="date"
        value={due}
        onChange={(event) => setDue(event.target.value)}
      />
      <FormAlert message={failure} />
      <div className="flex gap-2">
        <SubmitButton busy={edit.isPending}>Save</SubmitButton>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function uploadText(upload: UploadOut): string {
  if (upload.state === "ready") return "Ready";
  if (upload.state === "failed") return `Failed: ${upload.failure_reason ?? "not processed"}`;
  return "Processing…";
}

/** The creator hands a funded milestone's work in: a note, links and files for this order. */
function SubmitForm({ order, milestone }: { order: OrderDetail; milestone: MilestoneOut }) {
  const submitWork = useSubmitMilestone(order.id);
  const [note, setNote] = useState("");
  const [links, setLinks] = useState("");
  const [uploads, setUploads] = useState<UploadOut[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [noteError, setNoteError] = useState<string | undefined>();
  const states = useUploadStates(uploads);
  const current = uploads.map((upload, index) => states[index]?.data ?? upload);
  const processing = current.some((item) => item.state !== "ready" && item.state !== "failed");

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (!note.trim()) {
      setNoteError("Tell the client what you hand in.");
      return;
    }
    setNoteError(undefined);
    try {
      await submitWork.mutateAsync({
        id: milestone.id,
        body: {
          note: note.trim(),
          deliverables: links
            .split("\n")
            .map((line) => line.trim())
            .filter(Boolean),
          upload_ids: current.filter((item) => item.state === "ready").map((item) => item.id),
        },
      });
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  const prefix = `submit-${milestone.position}`;
  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="flex flex-col gap-3">
      <TextareaField
        id={`${prefix}-note`}
        label="Note to the client"
        rows={3}
        value={note}
        onChange={(event) => setNote(event.target.value)}
        error={noteError}
      />
      <TextareaField
        id={`${prefix}-links`}
        label="Links to the work (one a line, optional)"
        rows={2}
        value={links}
        onChange={(event) => setLinks(event.target.value)}
      />
      <Uploader
        kind="video"
        purpose="deliverable"
        targetId={order.id}
        label="Add a video"
        multiple
        onUploaded={(upload) =>
          setUploads((items) => [...items.filter((item) => item.id !== upload.id), upload])
        }
      />
      {current.length > 0 && (
        <ul aria-label="Files to hand in" className="flex flex-col gap-1 text-sm">
          {current.map((item) => (
            <li key={item.id} className="flex justify-between gap-2">
              <span className="truncate">{item.filename}</span>
              <span className="shrink-0 text-muted-foreground">{uploadText(item)}</span>
            </li>
          ))}
        </ul>
      )}
      <FormAlert message={failure} />
      <SubmitButton busy={submitWork.isPending} disabled={processing} className="self-start">
        Submit milestone
      </SubmitButton>
    </form>
  );
}

function RejectForm({ order, milestone }: { order: OrderDetail; milestone: MilestoneOut }) {
  const reject = useRejectMilestone(order.id);
  const [reason, setReason] = useState("");
  return (
    <ConfirmDialog
      trigger="Request changes"
      triggerLabel={`Request changes to ${milestone.title}`}
      title={`Send “${milestone.title}” back?`}
      description="The creator works on it again; the money stays held."
      confirm="Send back"
      confirmDisabled={!reason.trim()}
      onConfirm={() => reject.mutateAsync({ id: milestone.id, reason: reason.trim() })}
    >
      <TextareaField
        label="What should change"
        rows={3}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
    </ConfirmDialog>
  );
}

function MilestoneItem({
  order,
  milestone,
  side,
  funding,
  onFund,
}: {
  order: OrderDetail;
  milestone: MilestoneOut;
  side: Side;
  funding: boolean;
  onFund: (id: string) => void;
}) {
  const approve = useApproveMilestone(order.id);
  const [editing, setEditing] = useState(false);
  const client = side === "client";
  const open = !["cancelled", "completed", "disputed"].includes(order.status);

  return (
    <li className="flex flex-col gap-3 rounded-xl border p-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <h3 className="font-medium">
            {milestone.position}. {milestone.title}
          </h3>
          <p className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
            <MilestoneStatus status={milestone.status} />
            {milestone.due_date && <span>Due {formatDate(milestone.due_date)}</span>}
            {milestone.funded_at && <span>Funded {formatDate(milestone.funded_at)}</span>}
          </p>
        </div>
        <span className="font-semibold">{formatMoney(milestone.amount)}</span>
      </div>
      {milestone.description && !editing && (
        <p className="text-sm whitespace-pre-line text-muted-foreground">{milestone.description}</p>
      )}
      {milestone.rejection_reason && milestone.status === "funded" && (
        <div className="rounded-md border bg-muted px-3 py-2 text-sm">
          <p className="font-medium">The client asked for changes:</p>
          <p className="whitespace-pre-line">{milestone.rejection_reason}</p>
        </div>
      )}
      {milestone.submission_note && (
        <div className="flex flex-col gap-1 text-sm">
          <p className="font-medium">
            Handed in{milestone.submitted_at ? ` ${formatDate(milestone.submitted_at)}` : ""}:
          </p>
          <p className="whitespace-pre-line">{milestone.submission_note}</p>
          {milestone.deliverables.map((link) => (
            <a
              key={link}
              href={link}
              target="_blank"
              rel="noreferrer"
              className="break-all text-primary underline underline-offset-4"
            >
              {link}
            </a>
          ))}
          {milestone.files.map((file) => (
            <a
              key={file.upload_id}
              href={file.file.url}
              target="_blank"
              rel="noreferrer"
              className="text-primary underline underline-offset-4"
            >
              {file.filename}
            </a>
          ))}
        </div>
      )}
      {editing ? (
        <EditForm order={order} milestone={milestone} onDone={() => setEditing(false)} />
      ) : (
        open && (
          <div className="flex flex-wrap gap-2">
            {client && milestone.status === "pending" && (
              <>
                <Button
                  onClick={() => onFund(milestone.id)}
                  disabled={funding}
                  aria-label={`Fund ${milestone.title} (${formatMoney(milestone.amount)})`}
                >
                  {funding && <Spinner className="size-4" />}
                  Fund {formatMoney(milestone.amount)}
                </Button>
                <Button variant="outline" onClick={() => setEditing(true)}>
                  Edit
                </Button>
              </>
            )}
            {client && milestone.status === "submitted" && (
              <>
                <ConfirmDialog
                  trigger="Approve"
                  triggerLabel={`Approve ${milestone.title}`}
                  triggerVariant="default"
                  title={`Approve “${milestone.title}”?`}
                  description={`${formatMoney(milestone.amount)} held for it is released to the creator.`}
                  confirm="Approve and release"
                  onConfirm={() => approve.mutateAsync(milestone.id)}
                />
                <RejectForm order={order} milestone={milestone} />
              </>
            )}
          </div>
        )
      )}
      {side === "creator" && milestone.status === "funded" && open && (
        <SubmitForm order={order} milestone={milestone} />
      )}
      {side === "creator" && milestone.status === "pending" && (
        <p className="text-xs text-muted-foreground">Start once the client funds it.</p>
      )}
    </li>
  );
}

/** An order's milestones: plan them (an unpaid proposal order), fund, submit, approve or send
 * back, and change the unfunded ones. `paymentId`: the payment the client came back from. */
export function MilestonesPanel({
  order,
  side,
  paymentId,
}: {
  order: OrderDetail;
  side: Side;
  paymentId: string | null;
}) {
  const payment = usePayment(paymentId, false);
  const paidFor = payment.data?.milestone_id ?? null;
  const [timedOut, setTimedOut] = useState(false);
  useEffect(() => {
    if (!paymentId) return;
    const timer = setTimeout(() => setTimedOut(true), CONFIRM_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [paymentId]);
  const unpaid = UNPAID.has(payment.data?.status ?? "");
  const awaiting = (items: MilestoneOut[]) =>
    paidFor !== null &&
    !timedOut &&
    !unpaid &&
    items.find((item) => item.id === paidFor)?.status === "pending";
  const milestones = useMilestones(order.id, awaiting, POLL_MS);
  const waiting = awaiting(milestones.data ?? []);
  const fund = useFundMilestone(order.id);
  const [funding, setFunding] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [rebalancing, setRebalancing] = useState(false);

  async function onFund(id: string) {
    setFailure(null);
    setFunding(id);
    try {
      const started = await fund.mutateAsync({ id, key: crypto.randomUUID() });
      externalNavigation.assign(started.checkout_url);
    } catch (error) {
      setFailure(errorMessage(error));
      setFunding(null);
    }
  }

  if (milestones.isPending) return <LoadingBlock label="Loading the milestones" />;
  if (milestones.isError) {
    return (
      <ErrorState
        error={milestones.error}
        title="Could not load the milestones"
        onRetry={() => void milestones.refetch()}
      />
    );
  }
  const items = milestones.data;
  if (items.length === 0) {
    if (side !== null && order.status === "pending_payment" && order.proposal_id) {
      return <PlanForm order={order} />;
    }
    return <p className="text-sm text-muted-foreground">This order has no milestones.</p>;
  }
  const unfunded = items.filter((item) => item.status === "pending");
  const total = items
    .filter((item) => item.status !== "cancelled")
    .reduce((sum, item) => sum + (toCents(item.amount.value) ?? 0), 0);
  const released = items
    .filter((item) => item.status === "approved")
    .reduce((sum, item) => sum + (toCents(item.amount.value) ?? 0), 0);

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-muted-foreground">
        {formatMoney(money(released, order.amount.currency))} of{" "}
        {formatMoney(money(total, order.amount.currency))} released.
        {side === "client" && unfunded.length > 0 && " Fund each milestone before its work starts."}
      </p>
      {waiting && (
        <p role="status" className="flex items-center gap-2 text-sm">
          <Spinner className="size-4" /> Confirming your payment… This page updates by itself.
        </p>
      )}
      {paidFor !== null && unpaid && (
        <p role="status" className="text-sm">
          The payment did not go through ({payment.data?.status}): nothing was charged. You can fund
          the milestone again.
        </p>
      )}
      <FormAlert message={failure} />
      <ol aria-label="Milestones" className="flex flex-col gap-3">
        {items.map((milestone) => (
          <MilestoneItem
            key={milestone.id}
            order={order}
            milestone={milestone}
            side={side}
            funding={funding === milestone.id}
            onFund={(id) => void onFund(id)}
          />
        ))}
      </ol>
      {side === "client" && unfunded.length > 1 && !rebalancing && (
        <Button variant="outline" className="self-start" onClick={() => setRebalancing(true)}>
          Change the amounts
        </Button>
      )}
      {rebalancing && (
        <RebalanceForm order={order} milestones={items} onDone={() => setRebalancing(false)} />
      )}
    </div>
  );
}
