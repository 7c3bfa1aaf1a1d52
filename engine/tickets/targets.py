"""Help-desk targets: a signed generic webhook and a Zendesk-compatible API. Each sends one delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Protocol

import httpx

from engine.config import WebhookTarget, ZendeskTarget
from engine.tickets.store import Delivery

SIGNATURE_HEADER = "X-Engine-Signature"
TIMESTAMP_HEADER = "X-Engine-Timestamp"


class DeliveryError(Exception):
    """The target did not acknowledge the delivery; it will be retried."""


class Sender(Protocol):
    """Delivers claimed outbox rows to one help desk; the outbox worker retries whatever raises DeliveryError.

    Example::

        sender = make_sender(settings.tickets.targets[0])    # a WebhookSender or ZendeskSender
        try:
            remote_id = sender.send(delivery)                 # a Delivery claimed from TicketStore
        except DeliveryError:
            ...                                               # the worker schedules the next attempt
    """

    name: str

    def send(self, delivery: Delivery) -> str | None:
        """Deliver; return the target's id for the ticket if it has one. Raise DeliveryError to retry."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=HEX of HMAC-SHA256(secret, "{timestamp}." + body): receivers recompute it to verify."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookSender:
    """POSTs {event, ticket} as JSON with an HMAC signature and an idempotency key."""

    def __init__(self, config: WebhookTarget, client: httpx.Client | None = None) -> None:
        self.name = config.name
        self._config = config
        self._client = client or httpx.Client(timeout=config.timeout_s)

    def send(self, delivery: Delivery) -> str | None:
        body = json.dumps(
            {"event": delivery.event, "idempotency_key": delivery.idempotency_key, "ticket": delivery.payload},
            sort_keys=True,
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": delivery.idempotency_key,
            "X-Engine-Event": delivery.event,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._config.secret.get_secret_value(), timestamp, body),
        }
        _check(_post(self._client, "POST", self._config.url, content=body, headers=headers))
        return None


class ZendeskSender:
    """Creates tickets with POST /api/v2/tickets.json and adds later versions as internal comments."""

    def __init__(self, config: ZendeskTarget, client: httpx.Client | None = None) -> None:
        self.name = config.name
        self._config = config
        auth = (f"{config.email}/token", config.api_token.get_secret_value())
        self._client = client or httpx.Client(timeout=config.timeout_s, auth=auth)

    def send(self, delivery: Delivery) -> str | None:
        base = self._config.url.rstrip("/")
        headers = {"Idempotency-Key": delivery.idempotency_key}
        if delivery.external_id is None:
            response = _post(
                self._client, "POST", f"{base}/api/v2/tickets.json", json=zendesk_create(delivery), headers=headers
            )
            _check(response)
            try:
                return str(response.json()["ticket"]["id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise DeliveryError(f"zendesk answered {response.status_code} without a ticket id") from exc
        url = f"{base}/api/v2/tickets/{delivery.external_id}.json"
        _check(_post(self._client, "PUT", url, json=zendesk_update(delivery), headers=headers))
        return delivery.external_id


def zendesk_create(delivery: Delivery) -> dict[str, Any]:
    ticket = delivery.payload
    customer = ticket["customer"]
    body: dict[str, Any] = {
        "subject": ticket["subject"],
        "comment": {"body": ticket_text(ticket), "public": False},
        "priority": ticket["priority"],
        "tags": ticket["tags"],
        "external_id": ticket["reference"],
    }
    if customer.get("email"):
        body["requester"] = {"email": customer["email"], "name": customer.get("name") or customer["email"]}
    return {"ticket": body}


def zendesk_update(delivery: Delivery) -> dict[str, Any]:
    ticket = delivery.payload
    return {
        "ticket": {
            "comment": {"body": ticket_text(ticket), "public": False},
            "priority": ticket["priority"],
            "tags": ticket["tags"],
        }
    }


def ticket_text(ticket: dict[str, Any]) -> str:
    """The ticket as an agent reads it in a help desk: question, why, transcript and articles seen."""
    lines = [
        f"Question: {ticket['question']}",
        f"Escalated because: {ticket['reason']} (confidence {ticket['confidence']:.2f})",
    ]
    if ticket.get("message"):
        lines.append(f"Customer's note: {ticket['message']}")
    if incident := ticket.get("incident"):
        resolved = f", resolved {incident['resolved_at']}" if incident.get("resolved_at") else ""
        link = f" {incident['url']}" if incident.get("url") else ""
        lines.append(f"Known incident: {incident['title']} ({incident['id']}{resolved}){link}")
    lines.append("")
    lines.append("Transcript:")
    for turn in ticket["transcript"]:
        lines.append(f"- Customer: {turn['question']}")
        reply = turn["answer"] or f"(escalated: {turn['reason']})"
        lines.append(f"  Engine: {reply}")
    if ticket["articles"]:
        lines.append("")
        lines.append("Articles seen:")
        for article in ticket["articles"]:
            mark = "cited" if article["cited"] else "ranked"
            lines.append(f"- {article['title']} ({article['article_id']}, {article['version']}, {mark}, "
                         f"score {article['score']:.3f}) {article['url'] or ''}".rstrip())
    return "\n".join(lines)


def _post(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def _check(response: httpx.Response) -> None:
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:300]}")


def make_sender(config: WebhookTarget | ZendeskTarget) -> Sender:
    if isinstance(config, WebhookTarget):
        return WebhookSender(config)
    return ZendeskSender(config)
