"""The streamable HTTP transport, with every request answered as on stdio.

In: the SDK's streamable HTTP app. Out: the same app behind a screen that reads each POST body to
the MCP path and answers a malformed one at once (HTTP 400, a JSON-RPC error response) by the rules
of ``stdio.screen``: not UTF-8 or not JSON (-32700), not a JSON-RPC 2.0 object or an id that is
neither string nor integer (-32600), too deep, too long a number or a lone surrogate (-32602). The
SDK alone accepts some of these with an empty ``202`` (an object as id), so a client waits in vain.
A good body reaches the SDK unchanged; Host, Origin and token checks stay the SDK's.
"""

from __future__ import annotations

from typing import Any

from compiler.mcp.stdio import MAX_LINE_BYTES, Rejected, screen

__all__ = ["ScreenedApp", "run_http"]


class ScreenedApp:
    """ASGI middleware: POST bodies to ``path`` pass ``screen`` or are answered with its JSON-RPC error."""

    def __init__(self, app: Any, path: str) -> None:
        self.app = app
        self.path = path.rstrip("/")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path", "").rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more and len(body) <= MAX_LINE_BYTES:  # bounded: the screen refuses anything longer
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        verdict = screen(bytes(body))
        if isinstance(verdict, Rejected):
            payload = verdict.response().encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
            return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def run_http(server: Any, *, port: int, path: str, transport_security: Any) -> None:
    """Serve ``server`` (an SDK ``MCPServer``) over streamable HTTP on 127.0.0.1:``port``, screened."""
    import uvicorn

    app = server.streamable_http_app(streamable_http_path=path, transport_security=transport_security, host="127.0.0.1")
    config = uvicorn.Config(
        ScreenedApp(app, path), host="127.0.0.1", port=port, log_level=server.settings.log_level.lower()
    )
    await uvicorn.Server(config).serve()
