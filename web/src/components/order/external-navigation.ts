/** Leaving the app for another site (the payment provider's checkout). An object, so that tests
 * can replace `assign` (jsdom cannot navigate). */
export const externalNavigation = {
  assign(url: string): void {
    window.location.assign(url);
  },
};
