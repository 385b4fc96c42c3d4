/** The API's one error format: `{"error": "code", "message": "human text", "details": …}`. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/** One item of a `validation_error`'s details, as the API sends it. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.error === "string" && typeof body.message === "string";
}

function isValidationIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== "object" || value === null) return false;
  const issue = value as Record<string, unknown>;
  return Array.isArray(issue.loc) && typeof issue.msg === "string";
}

const LOCATIONS = new Set(["body", "query", "path", "header", "cookie"]);

function fallbackMessage(status: number): string {
  if (status === 0) return "Could not reach ReelByte. Check your connection and try again.";
  if (status === 429) return "Too many requests: wait a moment and try again.";
  if (status === 502 || status === 503 || status === 504)
    return "ReelByte is not reachable right now. Try again in a moment.";
  if (status >= 500) return "Something went wrong on our side. Try again in a moment.";
  return `The request failed (HTTP ${status}).`;
}

/**
 * Every failed API call, normalised: `code` is the API's stable `error` code (branch on it),
 * `message` its human text. A body that is not in the API's format (a proxy's 502 page) gets
 * the code `http_<status>`; no answer at all is `network_error` with status 0.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | null;

  constructor(
    status: number,
    body: ErrorBody,
    options: { requestId?: string | null; cause?: unknown } = {},
  ) {
    super(body.message, { cause: options.cause });
    this.status = status;
    this.code = body.error;
    this.details = body.details ?? null;
    this.requestId = options.requestId ?? null;
  }

  /** The error of a response that is not ok; `body` is its parsed JSON (or text) if read. */
  static fromResponse(response: Response, body: unknown): ApiError {
    const requestId = response.headers.get("X-Request-ID");
    if (isErrorBody(body)) return new ApiError(response.status, body, { requestId });
    return new ApiError(
      response.status,
      { error: `http_${response.status}`, message: fallbackMessage(response.status) },
      { requestId },
    );
  }

  static network(cause: unknown): ApiError {
    return new ApiError(0, { error: "network_error", message: fallbackMessage(0) }, { cause });
  }

  /** A `validation_error`'s messages by field (`loc` without "body"/"query"), for forms. */
  get fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    if (!Array.isArray(this.details)) return fields;
    for (const issue of this.details) {
      if (!isValidationIssue(issue)) continue;
      const [where, ...rest] = issue.loc;
      const field = (typeof where === "string" && LOCATIONS.has(where) ? rest : issue.loc).join(
        ".",
      );
      if (field && !(field in fields)) fields[field] = issue.msg.replace(/^Value error, /, "");
    }
    return fields;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** What to show a person for any error a query or mutation threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Try again in a moment.";
}
