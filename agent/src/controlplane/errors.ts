/** An answer from the control plane that the agent did not expect. */
export class UnexpectedResponse extends Error {
  constructor(
    readonly status: number,
    what: string,
    body: unknown,
  ) {
    const message = body && typeof body === "object" && "message" in body ? String((body as { message: unknown }).message) : "";
    super(`${what}: HTTP ${status}${message ? ` ${message}` : ""}`);
    this.name = "UnexpectedResponse";
  }
}
