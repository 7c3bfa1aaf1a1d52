"""Responses delayed on purpose: hold a request in the browser until the test releases it, and wait until the page
has finished handling a response (or seen its request fail), so a test can prove an older, slower response does not
overwrite a newer one — without sleeping."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Error, Page, Route

# Every fetch's URL, recorded once the page has handled its body (the app's promise callbacks run as microtasks
# straight after the body is read; the setTimeout fires after all of them) or once the fetch failed (aborted).
SETTLED = """
(() => {
  window.__settled = [];
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = String((input && input.url) || input);
    const mark = () => setTimeout(() => window.__settled.push(url), 0);
    return fetch0.call(this, input, init).then((response) => {
      for (const name of ["json", "text"]) {
        const read = response[name].bind(response);
        response[name] = () => read().finally(mark);
      }
      return response;
    }, (error) => { mark(); throw error; });
  };
})();
"""


class Held:
    """Holds the first request whose URL `match`es until release(); every other request goes through."""

    def __init__(self, page: Page, match: Callable[[str], bool]) -> None:
        self.match = match
        self.held: list[Route] = []
        self.page = page
        page.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        if not self.held and self.match(route.request.url):
            self.held.append(route)
            return
        route.continue_()

    def hold(self, action: Callable[[], object]) -> None:
        """Do what makes the request to hold, and wait until the page has made it (a hash set twice in a row may
        fire one hashchange: the first page would never be asked for)."""
        with self.page.expect_request(lambda request: self.match(request.url)):
            action()

    def release(self) -> None:
        """Let the held request go on (the page may have aborted it meanwhile: then there is nothing to do). Call it
        after the newer request's result is on screen: the held one, made first, was routed before it."""
        assert self.held, "no request was held"
        for route in self.held:
            try:
                route.continue_()
            except Error:
                pass


def install(page: Page) -> None:
    """Call before the first goto: every page load records its settled fetches."""
    page.add_init_script(SETTLED)


def wait_settled(page: Page, fragment: str) -> None:
    """Until the page has handled the response of a fetch whose URL contains `fragment` (or seen it fail)."""
    page.wait_for_function("(f) => window.__settled.some((u) => u.includes(f))", arg=fragment)
