"""Start ``kc serve``: open the service, build the site if needed, warm search, then run uvicorn.

In: a corpus directory and the command's options. Out: a running server until interrupted.
The site is built (with a progress line) and the retriever loaded before the socket opens, so
``GET /api/health`` answers 200 from the first request it can receive.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from compiler.config import Settings
from compiler.errors import ConfigError
from compiler.service import Service, backend_name
from compiler.web.security import is_loopback
from compiler.web.sitecache import SiteCache, default_site_dir


def make_app(
    corpus: Path,
    *,
    backend: str | None = None,
    settings: Settings | None = None,
    token: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    site_dir: Path | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> Any:
    """The ready ASGI app (site built, search loaded) for ``corpus``."""
    from compiler.tutor.learner import LearnerStore
    from compiler.web.app import create_app

    service = Service(corpus, settings=settings, backend=backend)
    view = service.view()
    site = SiteCache(site_dir or default_site_dir(view.root), progress=log)
    site.ensure(view)
    view.retriever.load()
    store = LearnerStore(settings=service.settings)
    allowed = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"} if is_loopback(host) else None
    return create_app(service, store, site, token=token, allowed_hosts=allowed)


def serve(
    corpus: Path,
    *,
    host: str,
    port: int,
    backend: str | None,
    settings: Settings,
    token: str | None,
    site_dir: Path | None,
    log: Callable[[str], None],
) -> None:
    import socket

    import uvicorn

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror}); pass another --port") from None
    app = make_app(
        corpus, backend=backend, settings=settings, token=token, host=host, port=port, site_dir=site_dir, log=log
    )
    shown = f"[{host}]" if ":" in host else host
    log(
        f"kc serve: http://{shown}:{port}/chat (site at /site/; answers by the {backend_name(settings, backend)} "
        f"backend{'; token required' if token else ''})"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
