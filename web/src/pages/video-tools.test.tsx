import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { UploadOut, UsageOut, VideoJob } from "@/api/video-tools";
import { externalNavigation } from "@/components/order/external-navigation";
import { loggedIn } from "@/components/order/test-fixtures";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { renderApp } from "@/test/render";

function video(overrides: Partial<UploadOut> = {}): UploadOut {
  return {
    id: "upload-1",
    owner_id: "creator-1",
    kind: "video",
    purpose: "portfolio",
    state: "ready",
    filename: "long-interview.mp4",
    content_type: "video/mp4",
    size: 10_000_000,
    public: false,
    target_id: null,
    failure_reason: null,
    created_at: "2026-11-20T10:00:00Z",
    completed_at: "2026-11-20T10:00:10Z",
    ready_at: "2026-11-20T10:00:30Z",
    original: {
      url: "https://cdn.test/long-interview.mp4",
      expires_at: null,
      content_type: "video/mp4",
    },
    derived: {},
    probe: { duration_seconds: 20, fps: 25, width: 1920, height: 1080 },
    ...overrides,
  };
}

function job(overrides: Partial<VideoJob> = {}): VideoJob {
  return {
    id: "job-1",
    kind: "trim",
    state: "running",
    progress: 40,
    params: { start_ms: 1000, end_ms: 6000, aspect: "9:16" },
    results: [],
    upload_id: "upload-1",
    source_seconds: 20,
    failure_reason: null,
    created_at: "2026-11-21T10:00:00Z",
    started_at: "2026-11-21T10:00:01Z",
    finished_at: null,
    expires_at: null,
    ...overrides,
  };
}

const USAGE: UsageOut = {
  plan: "free",
  period_start: "2026-11-01",
  period_end: "2026-12-01",
  upgrade_url: "https://reelbyte.test/v1/billing/plans",
  history: [],
  metrics: [
    { metric: "trim", used: 2, limit: 3, percent: 66.7 },
    { metric: "auto_hook", used: 0, limit: 1, percent: 0 },
  ],
};

function page(jobs: VideoJob[] = []) {
  return loggedIn(new FakeApi(), "creator")
    .on("GET /v1/uploads", () =>
      json(200, {
        items: [video(), video({ id: "upload-2", kind: "image", filename: "logo.png" })],
        total: 2,
        page: 1,
        page_size: 100,
        total_pages: 1,
        storage: { used_bytes: 0, quota_bytes: 1 },
      }),
    )
    .on("GET /v1/video-jobs", () =>
      json(200, { items: jobs, total: jobs.length, page: 1, page_size: 20, total_pages: 1 }),
    )
    .on("GET /v1/users/me/usage", () => json(200, USAGE));
}

describe("the video tools", () => {
  it("trims the chosen video between the handles, re-framed", async () => {
    const api = page().on("POST /v1/video-jobs/trim", () => json(202, job()));
    const { user } = renderApp("/studio", api);

    expect(await screen.findByText("2 of 3")).toBeInTheDocument();
    const picker = await screen.findByLabelText("Your video");
    expect(within(picker).queryByText(/logo\.png/)).not.toBeInTheDocument();
    await user.selectOptions(picker, "upload-1");

    const start = await screen.findByRole("slider", { name: "Start of the clip" });
    start.focus();
    await user.keyboard("{Shift>}{ArrowRight}{/Shift}");
    expect(start).toHaveAttribute("aria-valuetext", "00:01.00");
    const end = screen.getByRole("slider", { name: "End of the clip" });
    end.focus();
    await user.keyboard("{PageDown}{PageDown}{ArrowLeft}");
    expect(end).toHaveAttribute("aria-valuetext", "00:09.96");
    await user.selectOptions(screen.getByLabelText("Re-frame", { exact: true }), "9:16");
    await user.click(screen.getByLabelText("Follow the subject"));
    await user.click(screen.getByRole("button", { name: /^Trim 00:08\.96/ }));

    await waitFor(() => expect(api.calls("POST /v1/video-jobs/trim")).toHaveLength(1));
    expect(JSON.parse(api.calls("POST /v1/video-jobs/trim")[0]!.body)).toEqual({
      upload_id: "upload-1",
      start_ms: 1000,
      end_ms: 9960,
      aspect: "9:16",
      crop: "subject",
    });
  });

  it("shows the plan's limit as an upgrade prompt, with the plans to check out", async () => {
    const assign = vi.spyOn(externalNavigation, "assign").mockImplementation(() => {});
    const pro = {
      code: "pro",
      name: "Pro",
      price: { currency: "EUR", value: "19.00" },
      interval: "month" as const,
      trims_per_period: 100,
      hooks_per_period: 30,
      max_source_seconds: 3600,
      storage_quota_mb: 50_000,
      marketplace_fee_percentage: "10",
      priority_processing: false,
      api_access: true,
      webhooks: false,
    };
    const free = { ...pro, code: "free", name: "Free", price: { currency: "EUR", value: "0.00" } };
    const api = page()
      .on("POST /v1/video-jobs/trim", () =>
        apiError(402, "plan_limit_reached", "Your plan's limit for this period is reached."),
      )
      .on("GET /v1/billing/plans", () => json(200, [free, pro]))
      .on("POST /v1/billing/checkout", () =>
        json(201, { checkout_url: "https://pay.test/plan/pro" }),
      );
    const { user } = renderApp("/studio", api);

    await user.selectOptions(await screen.findByLabelText("Your video"), "upload-1");
    await user.click(await screen.findByRole("button", { name: /^Trim / }));

    const prompt = await screen.findByRole("alert");
    expect(prompt).toHaveTextContent("You have reached your plan’s limit for this period.");
    expect(await within(prompt).findByText(/100 trims, 30 auto-hooks/)).toBeInTheDocument();
    expect(within(prompt).queryByRole("button", { name: "Upgrade to Free" })).toBeNull();
    await user.click(within(prompt).getByRole("button", { name: "Upgrade to Pro" }));

    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://pay.test/plan/pro"));
    expect(JSON.parse(api.calls("POST /v1/billing/checkout")[0]!.body)).toEqual({ plan: "pro" });
    assign.mockRestore();
  });

  it("follows a running job until it is done, and previews its clip", async () => {
    let polls = 0;
    const done = job({
      state: "succeeded",
      progress: 100,
      finished_at: "2026-11-21T10:01:00Z",
      results: [
        {
          index: 0,
          start_ms: 1000,
          end_ms: 6000,
          duration_seconds: 5,
          width: 1080,
          height: 1920,
          size: 2_000_000,
          score: null,
        },
      ],
    });
    const api = page([job()])
      .on("GET /v1/video-jobs/job-1", () => {
        polls += 1;
        return json(200, polls > 1 ? done : job({ progress: 80 }));
      })
      .on("GET /v1/video-jobs/job-1/download", () =>
        json(200, { url: "https://cdn.test/clip.mp4", expires_at: "2026-11-21T11:00:00Z" }),
      );
    const { user } = renderApp("/studio", api);

    const item = await screen.findByTestId("video-job");
    expect(
      within(item).getByText("Trim of long-interview.mp4 00:01.00–00:06.00, re-framed 9:16"),
    ).toBeInTheDocument();
    expect(
      await within(item).findByRole("progressbar", { name: "Progress of the job" }),
    ).toBeInTheDocument();
    await waitFor(() => expect(within(item).getByText("Done")).toBeInTheDocument(), {
      timeout: 5000,
    });

    await user.click(within(item).getByRole("button", { name: "Preview clip" }));
    expect(await within(item).findByLabelText("Clip of the job")).toHaveAttribute(
      "src",
      "https://cdn.test/clip.mp4",
    );
  });
});
