/** A token from an e-mailed link as the API takes it (16 to 128 characters); anything else
 * cannot be a link of ours, so it is not sent. */
export function validToken(token: string | null): token is string {
  return token !== null && token.length >= 16 && token.length <= 128;
}
