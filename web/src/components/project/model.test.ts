import { describe, expect, it } from "vitest";
import { queryOf } from "./browse-query";
import { checkSplit, fromCents, proposalMilestones, toCents } from "./model";
import { projectBody, validateProject, type ProjectValues } from "./project-values";

describe("amounts in cents", () => {
  it("reads typed amounts without floats", () => {
    expect(toCents("12")).toBe(1200);
    expect(toCents("12.5")).toBe(1250);
    expect(toCents(" 0.07 ")).toBe(7);
    expect(toCents("19.99")).toBe(1999);
    expect(toCents("1.234")).toBeNull();
    expect(toCents("-3")).toBeNull();
    expect(toCents("abc")).toBeNull();
    expect(toCents("")).toBeNull();
  });

  it("writes the API's two decimals", () => {
    expect(fromCents(1250)).toBe("12.50");
    expect(fromCents(7)).toBe("0.07");
    expect(fromCents(-150)).toBe("-1.50");
  });
});

describe("a split into milestones", () => {
  it("adds up exactly where floats would not", () => {
    const split = checkSplit(
      [
        { title: "A", amount: "0.10" },
        { title: "B", amount: "0.20" },
      ],
      30,
    );
    expect(split).toMatchObject({ sum: 30, remaining: 0, ok: true, invalid: [] });
  });

  it("says what is left, what is over, and which amounts are wrong", () => {
    expect(checkSplit([{ title: "A", amount: "100" }], 15000)).toMatchObject({
      remaining: 5000,
      ok: false,
    });
    expect(checkSplit([{ title: "A", amount: "200" }], 15000).remaining).toBe(-5000);
    expect(
      checkSplit(
        [
          { title: "A", amount: "x" },
          { title: "B", amount: "0" },
        ],
        0,
      ).invalid,
    ).toEqual([0, 1]);
  });

  it("needs a title for each milestone and a known total", () => {
    expect(checkSplit([{ title: " ", amount: "10" }], 1000).ok).toBe(false);
    expect(checkSplit([{ title: "A", amount: "10" }], null).ok).toBe(false);
    expect(checkSplit([], 0).ok).toBe(false);
  });
});

describe("milestones proposed with a proposal", () => {
  it("are sent as the API takes them: titles tidied, amounts in cents made money", () => {
    const drafts = [
      { title: "  Rough   cut ", amount: "150" },
      { title: "Final — both formats", amount: "300.5" },
    ];
    expect(proposalMilestones(drafts, "EUR")).toEqual([
      { title: "Rough cut", amount: { currency: "EUR", value: "150.00" } },
      { title: "Final — both formats", amount: { currency: "EUR", value: "300.50" } },
    ]);
    expect(proposalMilestones([], "EUR")).toEqual([]);
  });
});

describe("the project form", () => {
  const today = new Date("2026-12-06T12:00:00Z");
  const good: ProjectValues = {
    title: "A launch teaser",
    description: "Thirty seconds from our ride footage, for Reels.",
    category: "3",
    subcategory: "",
    budgetMin: "300",
    budgetMax: "600.5",
    deadline: "2027-01-10",
    skills: "color grading, motion graphics, color grading, ",
    visibility: "invite_only",
  };

  it("accepts a complete project and sends the API's body", () => {
    expect(validateProject(good, today)).toEqual({});
    expect(projectBody(good, "EUR")).toEqual({
      title: "A launch teaser",
      description: "Thirty seconds from our ride footage, for Reels.",
      category_id: 3,
      subcategory_id: null,
      budget_min: { currency: "EUR", value: "300.00" },
      budget_max: { currency: "EUR", value: "600.50" },
      deadline: "2027-01-10",
      required_skills: ["color grading", "motion graphics"],
      visibility: "invite_only",
    });
  });

  it("flags each field", () => {
    const errors = validateProject(
      { ...good, title: "", category: "", budgetMin: "700", deadline: "2026-12-06" },
      today,
    );
    expect(Object.keys(errors).sort()).toEqual(["budgetMax", "category", "deadline", "title"]);
    expect(errors.budgetMax).toMatch(/below the minimum/);
  });
});

describe("the browse query", () => {
  it("keeps the valid filters of the URL", () => {
    const query = queryOf(
      new URLSearchParams("q=teaser&category=2&min=100&max=abc&skills=a, b&page=3"),
    );
    expect(query).toEqual({
      q: "teaser",
      category_id: 2,
      min_budget: "100",
      skills: ["a", "b"],
      sort_by: "relevance",
      page: 3,
      page_size: 20,
    });
    expect(queryOf(new URLSearchParams("sort=budget_desc"))).toEqual({
      sort_by: "budget_desc",
      page: 1,
      page_size: 20,
    });
  });
});
