"""``kc serve``: the docs site and the tutor chat of a corpus in one local web app (imported only when run)."""

from __future__ import annotations

import argparse

from compiler.cli.options import port_number

DEFAULT_PORT = 8000
TOKEN_ENV = "KC_SERVE_TOKEN"


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve",
        help="the docs site and a tutor chat in one local web app",
        description=(
            "Serve the corpus's docs site (built on demand into a cache folder) and a tutor chat at /chat that "
            "streams answers with citations opening the cited lines on the site, keeps each learner's profile "
            "and progress, and runs quizzes. Binds 127.0.0.1; another --host requires KC_SERVE_TOKEN."
        ),
    )
    serve.add_argument("--corpus", default="corpus", help="corpus directory (default: ./corpus)")
    serve.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument(
        "--backend",
        choices=("offline", "anthropic", "openai"),
        help="who writes the answers (default: KC_TUTOR_BACKEND or tutor_backend in kc.toml, else offline)",
    )
    serve.add_argument(
        "--site-dir", help="where the built site is cached (default: <corpus parent>/.kc/site/<corpus name>)"
    )
    serve.add_argument("--learner-db", help="learner store file (default: KC_LEARNER_DB or the user data dir)")
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import os
    import sys
    from pathlib import Path

    from compiler.config import load_settings
    from compiler.errors import ConfigError
    from compiler.web.server import serve

    token = os.environ.get(TOKEN_ENV) or None
    settings = load_settings(learner_db=args.learner_db) if args.learner_db else load_settings()
    from compiler.web.security import is_loopback

    if not is_loopback(args.host) and not token:
        raise ConfigError(
            f"--host {args.host} is reachable from other machines: set {TOKEN_ENV} to a long random "
            "token first (every request must carry it), or keep the default 127.0.0.1"
        )
    serve(
        Path(args.corpus),
        host=args.host,
        port=args.port,
        backend=args.backend,
        settings=settings,
        token=token,
        site_dir=Path(args.site_dir) if args.site_dir else None,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    return 0
