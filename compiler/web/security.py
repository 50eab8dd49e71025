"""The web app's guard, checked on every request before any route runs (plain ASGI middleware).

In: the ASGI request. Out: the request passed on, or a short plain-text refusal:

* 401 without the token, when one is set (``KC_SERVE_TOKEN``; required when binding beyond
  loopback). The token comes as ``Authorization: Bearer <token>`` or the ``kc_token`` cookie,
  which ``/?token=<token>`` sets (HttpOnly, SameSite=Strict) before redirecting to the chat;
* 421 for a ``Host`` that is not ours (DNS rebinding), when the allowed hosts are known;
* 403 for a state-changing request (POST, PUT, PATCH, DELETE) whose ``Origin`` is another
  site, or that is not ``application/json`` (so a plain HTML form cannot post);
* 411 / 413 for a body without a length or over ``MAX_BODY_BYTES``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

MAX_BODY_BYTES = 64 * 1024
TOKEN_COOKIE = "kc_token"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


class Guard:
    """Token, Host, Origin, content type and body size checks around an ASGI app."""

    def __init__(self, app: Any, *, token: str | None, allowed_hosts: set[str] | None) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            await _refuse(
                send, 421, f"unknown Host {host!r}: open the app at one of {', '.join(sorted(self.allowed_hosts))}"
            )
            return
        if self.token is not None:
            offered = self._offered_token(headers)
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            login = (query.get("token") or [""])[0]
            if scope.get("path") == "/" and login and hmac.compare_digest(login.encode(), self.token):
                await _login(send, login)
                return
            if offered is None or not hmac.compare_digest(offered.encode(), self.token):
                await _refuse(
                    send,
                    401,
                    "this kc serve needs its token: open /?token=<KC_SERVE_TOKEN> once, "
                    "or send 'Authorization: Bearer <token>'",
                )
                return
        if scope.get("method", "GET") in STATE_CHANGING:
            origin = headers.get("origin")
            if origin is not None and origin.lower() not in (f"http://{host}", f"https://{host}"):
                await _refuse(send, 403, f"cross-site request refused (Origin {origin!r} is not this app)")
                return
            if headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
                await _refuse(send, 403, "send the request body as application/json")
                return
            length = headers.get("content-length")
            if length is None or not length.isdigit():
                await _refuse(send, 411, "a request body needs a Content-Length")
                return
            if int(length) > MAX_BODY_BYTES:
                await _refuse(send, 413, f"request body over {MAX_BODY_BYTES} bytes")
                return
            receive = _capped(receive, int(length))
        await self.app(scope, receive, send)

    def _offered_token(self, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is simply no token
            return None
        morsel = cookie.get(TOKEN_COOKIE)
        return morsel.value if morsel else None


def _capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops reading past the declared length (a client may send more than it says)."""
    seen = 0

    async def wrapped() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            body = message.get("body", b"")
            if seen + len(body) > limit:
                message = dict(message, body=body[: max(0, limit - seen)], more_body=False)
            seen += len(message.get("body", b""))
        return message

    return wrapped


async def _refuse(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _login(send: Send, token: str) -> None:
    cookie = f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", b"/chat"), (b"set-cookie", cookie.encode("latin-1")), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
