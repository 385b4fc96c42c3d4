import { useState, type FormEvent, type ReactElement } from "react";
import { useSearchParams } from "react-router";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useAnalytics, type Analytics, type AnalyticsInterval } from "@/api/admin";
import { isApiError } from "@/api/errors";
import { FormAlert, FormField, SelectField } from "@/components/form-field";
import { ErrorState, PageLoading } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";

const INTERVALS: { value: AnalyticsInterval; label: string }[] = [
  { value: "day", label: "By day" },
  { value: "week", label: "By week" },
  { value: "month", label: "By month" },
];
const COLORS = {
  primary: "var(--color-primary, #4f46e5)",
  a: "#0ea5e9",
  b: "#f59e0b",
  c: "#10b981",
  d: "#ef4444",
};

/** The series as numbers the charts can draw (the API's money is a decimal string). */
function rows(report: Analytics) {
  return report.series.map((bucket) => ({
    label: formatDate(bucket.bucket_start),
    clients: bucket.signups.client,
    creators: bucket.signups.creator,
    hybrids: bucket.signups.hybrid,
    created: bucket.orders_created,
    paid: bucket.orders_paid,
    completed: bucket.orders_completed,
    gmv: Number(bucket.gmv.value),
    revenue: Number(bucket.revenue.value),
    refunds: Number(bucket.refunds.value),
    disputes: bucket.disputes_opened,
  }));
}

function ChartCard({
  title,
  summary,
  children,
}: {
  title: string;
  summary: string;
  children: ReactElement;
}) {
  return (
    <Card>
      <CardHeader>
        <h2 className="text-base font-semibold">{title}</h2>
        <p className="text-sm text-muted-foreground">{summary}</p>
      </CardHeader>
      <CardContent>
        {/* The figures are in the summary above and the totals: the chart is a picture of them. */}
        <div className="h-56 w-full" role="img" aria-label={`${title}: ${summary}`}>
          <ResponsiveContainer width="100%" height="100%">
            {children}
          </ResponsiveContainer>
        </div>
      </CardContent>
    </Card>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-xl border p-3">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-lg font-semibold">{value}</dd>
    </div>
  );
}

function Report({ report }: { report: Analytics }) {
  const data = rows(report);
  const t = report.totals;
  const signups = t.signups.client + t.signups.creator + t.signups.hybrid;
  const axis = { fontSize: 12 };
  return (
    <div className="flex flex-col gap-4">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Sign-ups" value={String(signups)} />
        <Stat label="Orders paid" value={String(t.orders_paid)} />
        <Stat label="GMV" value={formatMoney(t.gmv)} />
        <Stat label="Revenue" value={formatMoney(t.revenue)} />
        <Stat label="Disputes" value={String(t.disputes_opened)} />
        <Stat
          label="Dispute rate"
          value={t.dispute_rate === null ? "–" : `${(t.dispute_rate * 100).toFixed(1)} %`}
        />
      </dl>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ChartCard
          title="Sign-ups"
          summary={`${signups}: ${t.signups.client} clients, ${t.signups.creator} creators, ${t.signups.hybrid} both`}
        >
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={axis} />
            <YAxis allowDecimals={false} tick={axis} width={32} />
            <Tooltip />
            <Legend />
            <Bar dataKey="clients" name="Clients" stackId="s" fill={COLORS.a} />
            <Bar dataKey="creators" name="Creators" stackId="s" fill={COLORS.b} />
            <Bar dataKey="hybrids" name="Both" stackId="s" fill={COLORS.c} />
          </BarChart>
        </ChartCard>
        <ChartCard
          title="Orders"
          summary={`${t.orders_created} placed, ${t.orders_paid} paid, ${t.orders_completed} completed`}
        >
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={axis} />
            <YAxis allowDecimals={false} tick={axis} width={32} />
            <Tooltip />
            <Legend />
            <Line dataKey="created" name="Placed" stroke={COLORS.a} dot={false} />
            <Line dataKey="paid" name="Paid" stroke={COLORS.b} dot={false} />
            <Line dataKey="completed" name="Completed" stroke={COLORS.c} dot={false} />
          </LineChart>
        </ChartCard>
        <ChartCard
          title={`GMV and revenue (${report.currency})`}
          summary={`GMV ${formatMoney(t.gmv)}, revenue ${formatMoney(t.revenue)}, refunds ${formatMoney(t.refunds)}`}
        >
          <AreaChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={axis} />
            <YAxis tick={axis} width={48} />
            <Tooltip />
            <Legend />
            <Area dataKey="gmv" name="GMV" stroke={COLORS.a} fill={COLORS.a} fillOpacity={0.2} />
            <Area
              dataKey="revenue"
              name="Revenue"
              stroke={COLORS.c}
              fill={COLORS.c}
              fillOpacity={0.3}
            />
            <Area
              dataKey="refunds"
              name="Refunds"
              stroke={COLORS.d}
              fill={COLORS.d}
              fillOpacity={0.15}
            />
          </AreaChart>
        </ChartCard>
        <ChartCard title="Disputes" summary={`${t.disputes_opened} opened`}>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={axis} />
            <YAxis allowDecimals={false} tick={axis} width={32} />
            <Tooltip />
            <Bar dataKey="disputes" name="Disputes opened" fill={COLORS.d} />
          </BarChart>
        </ChartCard>
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <h2 className="text-base font-semibold">Top categories</h2>
          </CardHeader>
          <CardContent>
            {report.top_categories.length === 0 ? (
              <p className="text-sm text-muted-foreground">No orders in this range.</p>
            ) : (
              <ol className="flex flex-col gap-1 text-sm">
                {report.top_categories.map((category) => (
                  <li key={category.category_id} className="flex justify-between gap-2">
                    <span>
                      {category.rank}. {category.name}
                    </span>
                    <span className="text-muted-foreground">
                      {formatMoney(category.gmv)} · {category.orders} orders
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <h2 className="text-base font-semibold">Top creators</h2>
          </CardHeader>
          <CardContent>
            {report.top_creators.length === 0 ? (
              <p className="text-sm text-muted-foreground">No orders in this range.</p>
            ) : (
              <ol className="flex flex-col gap-1 text-sm">
                {report.top_creators.map((creator) => (
                  <li key={creator.user_id} className="flex justify-between gap-2">
                    <span>
                      {creator.rank}. @{creator.username}
                    </span>
                    <span className="text-muted-foreground">
                      {formatMoney(creator.gmv)} · {creator.orders} orders
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

/** Admin: the marketplace's figures over any date range, by day, week or month. */
export function Component() {
  const [params, setParams] = useSearchParams();
  const interval =
    INTERVALS.find((option) => option.value === params.get("interval"))?.value ?? "day";
  const query = {
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
    interval,
  };
  const report = useAnalytics(query);
  const [from, setFrom] = useState(query.from ?? "");
  const [to, setTo] = useState(query.to ?? "");
  const [choice, setChoice] = useState<AnalyticsInterval>(interval);
  const [rangeError, setRangeError] = useState<string | undefined>();

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (from && to && from > to) {
      setRangeError("The range must start before it ends.");
      return;
    }
    setRangeError(undefined);
    const next = new URLSearchParams({ interval: choice });
    if (from) next.set("from", from);
    if (to) next.set("to", to);
    setParams(next);
  };
  const rangeRefused =
    isApiError(report.error, "analytics_range_too_long") ||
    isApiError(report.error, "invalid_date_range");

  return (
    <section aria-labelledby="admin-analytics" className="flex flex-col gap-4">
      <title>Analytics · Admin · ReelByte</title>
      <div>
        <h1 id="admin-analytics" className="text-2xl font-bold tracking-tight">
          Analytics
        </h1>
        {report.data && (
          <p className="text-sm text-muted-foreground">
            {formatDate(report.data.from)} – {formatDate(report.data.to)}, computed{" "}
            {formatDateTime(report.data.computed_at)}
          </p>
        )}
      </div>
      <form
        onSubmit={apply}
        aria-label="Date range"
        className="grid grid-cols-1 items-end gap-3 sm:grid-cols-4"
      >
        <FormField
          label="From"
          type="date"
          value={from}
          error={rangeError}
          onChange={(event) => setFrom(event.target.value)}
        />
        <FormField
          label="To"
          type="date"
          value={to}
          onChange={(event) => setTo(event.target.value)}
        />
        <SelectField
          label="Interval"
          value={choice}
          onChange={(event) => setChoice(event.target.value as AnalyticsInterval)}
        >
          {INTERVALS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
        <Button type="submit">Show</Button>
      </form>
      {rangeRefused && <FormAlert message={report.error?.message ?? null} />}
      {report.isPending ? (
        <PageLoading label="Loading the figures" />
      ) : report.isError && !report.data ? (
        rangeRefused ? null : (
          <ErrorState
            error={report.error}
            title="Could not load the figures"
            onRetry={() => void report.refetch()}
          />
        )
      ) : report.data ? (
        <div aria-busy={report.isFetching}>
          <Report report={report.data} />
        </div>
      ) : null}
    </section>
  );
}
Component.displayName = "AdminAnalyticsPage";
