"""The delivery worker: claims due outbox rows, sends them, and reschedules failures with exponential backoff.
It never gives up on a ticket: a target that stays down only makes the retries sparser (capped)."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import timedelta

from engine.background import BackgroundLoop
from engine.config import TicketSettings
from engine.tickets.store import TicketStore
from engine.tickets.targets import DeliveryError, Sender
from engine.types import Clock

logger = logging.getLogger(__name__)


def backoff(attempts: int, base_s: float, max_s: float, jitter: float) -> float:
    """Seconds before the next attempt after `attempts` failures: base·2^(n-1), capped, ±20 % jitter."""
    delay = min(max_s, base_s * 2.0 ** max(0, attempts - 1))
    return delay * (0.8 + 0.4 * jitter)


class OutboxWorker:
    """Delivers tickets to every configured target; run_once() for one pass, start() for a background loop."""

    def __init__(
        self,
        store: TicketStore,
        senders: Mapping[str, Sender],
        settings: TicketSettings,
        now: Clock,
    ) -> None:
        self._store = store
        self._senders = dict(senders)
        self._settings = settings
        self._now = now
        self._loop = BackgroundLoop(self.run_once, settings.poll_s, name="ticket-outbox",
                                    failed="ticket outbox pass failed")  # a database hiccup: the next pass retries

    def run_once(self) -> int:
        """Attempt every due delivery once; returns how many were acknowledged."""
        lease = timedelta(seconds=self._settings.lease_s)
        done = 0
        for delivery in self._store.claim(self._now(), lease):
            sender = self._senders[delivery.target]
            try:
                external_id = sender.send(delivery)
            except DeliveryError as exc:
                attempts = delivery.attempts + 1
                delay = backoff(attempts, self._settings.retry_base_s, self._settings.retry_max_s, random.random())
                self._store.failed(delivery, str(exc), self._now() + timedelta(seconds=delay))
                logger.warning(
                    "ticket delivery failed",
                    extra={"ticket": delivery.ticket_id, "target": delivery.target, "attempts": attempts,
                           "retry_in_s": round(delay, 2), "error": str(exc)[:200]},
                )
                continue
            self._store.delivered(delivery, self._now(), external_id)
            done += 1
            logger.info("ticket delivered", extra={"ticket": delivery.ticket_id, "target": delivery.target,
                                                   "event": delivery.event})
        return done

    def nudge(self) -> None:
        """A ticket was just filed: look now instead of at the next poll."""
        self._loop.nudge()

    def start(self) -> None:
        if self._senders:
            self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)
