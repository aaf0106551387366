"""A step of the scenario: timed, one line printed for it, and a failure inside it names it."""

import time

from playwright.sync_api import Error as PlaywrightError


class Failed(Exception):
    """A check failed: the message says what was seen."""


class Step:
    """Times one step and prints one line for it; a failure inside names the step.

    `Step.say` prints the line; under pytest, conftest.py points it past the output capture, so that the lines show
    as the steps end.
    """

    say = staticmethod(print)

    def __init__(self, name):
        self.name, self.detail = name, ""

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, kind, exc, tb):
        seconds = time.monotonic() - self.t0
        if exc is None:
            self.say(f"ok   {seconds:6.1f} s  {self.name}" + (f": {self.detail}" if self.detail else ""))
            return False
        if not isinstance(exc, Exception):  # Ctrl-C, SIGTERM: unwind
            self.say(f"STOP {seconds:6.1f} s  {self.name}")
            return False
        self.say(f"FAIL {seconds:6.1f} s  {self.name}")
        what = str(exc) if isinstance(exc, (Failed, PlaywrightError)) else f"{type(exc).__name__}: {exc}"
        raise Failed(f"step '{self.name}' failed after {seconds:.0f} s: {what}") from exc


def wait_for(condition, timeout_s, what, poll_s=0.2):
    """Polls `condition` until it returns something truthy; raises Failed naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed(f"{what}: not seen within {timeout_s:.0f} s")
        time.sleep(poll_s)
