"""The ``kc serve`` web app: the docs site and the tutor chat in one Starlette application.

In: a ``Service`` (corpus, retriever, tutor backend), a ``LearnerStore``, a ``SiteCache``.
Out: ``create_app(...)``, an ASGI app with

    GET  /                 -> /chat
    GET  /site/...         the docs site; every HTML page gets a link to the chat
    GET  /chat             the chat page (vendored JS and CSS under /static, no CDN)
    GET  /api/health       200 {"ready": true, ...} once the site is built and search is loaded, else 503
    GET  /api/learners     profiles: name, level, background, goal
    POST /api/learners     create or update a profile {name, level, background, goal}
    GET  /api/progress     ?learner=NAME: the learning path with this learner's status per concept
    POST /api/ask          {learner, question}: server-sent events plan, delta*, citations, done (or error)
    POST /api/quiz         {learner, concept?}: a quiz (questions and choices, not the answers)
    POST /api/quiz/grade   {learner, answers: [choice index | null, ...]}: the graded result

wrapped in ``security.Guard`` (token, Host, Origin, body size). Every piece of repository text
goes to the browser as JSON data and is escaped by the page's renderer; the chat page's
Content-Security-Policy allows scripts from this app only.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from compiler.errors import ConfigError, KcError, NotFound
from compiler.service import Service
from compiler.web.learners import Learners
from compiler.web.security import Guard
from compiler.web.sitecache import CitationLinks, SiteCache

ASSETS = Path(__file__).resolve().with_name("assets")
STATIC_FILES = {"chat.js": "text/javascript", "chat.css": "text/css"}
MAX_QUESTION_CHARS = 2000
CHAT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
CHAT_LINK = (
    b'<a data-kc="chat-link" class="kc-chat-link" href="/chat" title="Ask the tutor about this codebase">'
    b"Ask the tutor</a>"
)


class BadRequest(KcError):
    """A request the app cannot act on; the message says what to send instead."""


def create_app(
    service: Service, store: Any, site: SiteCache, *, token: str | None = None, allowed_hosts: set[str] | None = None
) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
    from starlette.routing import Route

    learners = Learners(service, store)
    links = CitationLinks()
    rebuilding = threading.Lock()

    def refresh_site_in_background() -> None:
        """A rebuilt corpus gets a rebuilt site; the old one answers meanwhile."""
        view = service.view()
        if site.fresh(view) or not rebuilding.acquire(blocking=False):
            return

        def build() -> None:
            try:
                site.ensure(view)
            except KcError as exc:
                site.progress(f"kc serve: the site could not be rebuilt: {exc}")
            finally:
                rebuilding.release()

        threading.Thread(target=build, daemon=True).start()

    async def root(request: Request) -> Response:
        return RedirectResponse("/chat", status_code=303)

    async def site_page(request: Request) -> Response:
        refresh_site_in_background()
        folder = site.folder
        rel = request.path_params.get("path", "")
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder) or any(part.startswith(".") for part in Path(rel).parts):
            return Response("not found\n", status_code=404, media_type="text/plain")
        if target.is_dir():
            if rel and not rel.endswith("/"):
                return RedirectResponse(f"/site/{rel}/" + (f"?{request.url.query}" if request.url.query else ""), 307)
            target = target / "index.html"
        if not target.is_file():
            return Response("not found\n", status_code=404, media_type="text/plain")
        if target.suffix == ".html":
            html = target.read_bytes()
            marker = html.rfind(b"</body>")
            if marker >= 0:
                html = html[:marker] + CHAT_LINK + html[marker:]
            return Response(html, media_type="text/html; charset=utf-8")
        media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return FileResponse(target, media_type=media)

    async def chat(request: Request) -> Response:
        return FileResponse(
            ASSETS / "chat.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CHAT_CSP, "X-Content-Type-Options": "nosniff"},
        )

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return Response("not found\n", status_code=404, media_type="text/plain")
        return FileResponse(ASSETS / name, media_type=STATIC_FILES[name], headers={"X-Content-Type-Options": "nosniff"})

    async def health(request: Request) -> Response:
        view = service.view()
        ready = site.ready and view.retriever.loaded
        return JSONResponse(
            {"ready": ready, "corpus": view.name, "backend": service.backend_name, "search": view.retriever.backend},
            status_code=200 if ready else 503,
        )

    async def list_learners(request: Request) -> Response:
        from anyio import to_thread

        profiles = await to_thread.run_sync(store.list)
        return JSONResponse({"learners": [_profile(p) for p in profiles]})

    async def save_learner(request: Request) -> Response:
        from anyio import to_thread

        body = await _json_body(request)
        name = _text(body, "name", 64, required=True)
        fields = {
            "level": _text(body, "level", 20) or None,
            "background": _text(body, "background", 300) or None,
            "goal": _text(body, "goal", 300) or None,
        }

        def save() -> Any:
            try:
                store.get(name)
            except NotFound:
                return store.create(name, **{k: v for k, v in fields.items() if v is not None})
            return store.update(name, **fields)

        async with learners.use(name) as slot:
            profile = await to_thread.run_sync(save)
            slot.session.profile = profile  # the session answers for the profile as it is now
        return JSONResponse({"learner": _profile(profile)})

    async def progress(request: Request) -> Response:
        from anyio import to_thread

        name = request.query_params.get("learner", "")
        if not name or len(name) > 64:
            raise BadRequest("pass ?learner=NAME (at most 64 characters)")
        async with learners.use(name) as slot:
            path = await to_thread.run_sync(slot.session.path)
            return JSONResponse({"learner": _profile(slot.session.profile), "path": [_entry(e) for e in path]})

    async def ask(request: Request) -> Response:
        from sse_starlette import EventSourceResponse

        body = await _json_body(request)
        name = _text(body, "learner", 64, required=True)
        question = _text(body, "question", MAX_QUESTION_CHARS, required=True)
        return EventSourceResponse(_answer_events(name, question), ping=15)

    async def _answer_events(name: str, question: str) -> AsyncIterator[dict[str, str]]:
        import functools

        from anyio import to_thread

        try:
            async with learners.use(name) as slot:
                session, view = slot.session, slot.view
                stream = await to_thread.run_sync(functools.partial(session.ask, question, stream=True))
                yield _event("plan", _plan(view, stream.plan))
                chunks = iter(stream)
                while True:
                    chunk = await to_thread.run_sync(next, chunks, None)
                    if chunk is None:
                        break
                    yield _event("delta", {"text": chunk})
                answer = stream.result().to_dict()
                citations = [
                    dict(c, url=links.url(view, c["path"], int(c["start"]), int(c["end"]))) for c in answer["citations"]
                ]
                yield _event("citations", {"citations": citations})
                path = await to_thread.run_sync(session.path)
                yield _event(
                    "done",
                    {
                        "backend": answer["backend"],
                        "model": answer["model"],
                        "rejected": len(answer["rejected_citations"]),
                        "path": [_entry(e) for e in path],
                    },
                )
        except KcError as exc:
            yield _event("error", {"message": str(exc)})

    async def quiz(request: Request) -> Response:
        from anyio import to_thread

        body = await _json_body(request)
        name = _text(body, "learner", 64, required=True)
        concept = _text(body, "concept", 200) or None
        async with learners.use(name) as slot:
            made = await to_thread.run_sync(slot.session.quiz, concept)
            slot.quiz = made
        return JSONResponse(
            {
                "concept": made.concept,
                "title": made.title,
                "origin": made.origin,
                "questions": [{"prompt": q.prompt, "choices": list(q.choices)} for q in made.questions],
            }
        )

    async def grade(request: Request) -> Response:
        from anyio import to_thread

        body = await _json_body(request)
        name = _text(body, "learner", 64, required=True)
        answers = body.get("answers")
        if (
            not isinstance(answers, list)
            or len(answers) > 50
            or not all(a is None or (isinstance(a, int) and not isinstance(a, bool) and 0 <= a < 26) for a in answers)
        ):
            raise BadRequest("answers: a list of choice indexes (0 for the first choice) or null, one per question")
        async with learners.use(name) as slot:
            if slot.quiz is None:
                raise BadRequest("no open quiz for this learner: POST /api/quiz first")
            made, slot.quiz = slot.quiz, None
            result = await to_thread.run_sync(slot.session.grade_quiz, made, answers)
            path = await to_thread.run_sync(slot.session.path)
        return JSONResponse(
            {
                "concept": result.concept,
                "score": result.score,
                "passed": result.passed,
                "correct": result.correct,
                "total": result.total,
                "feedback": list(result.feedback),
                "path": [_entry(e) for e in path],
            }
        )

    async def kc_error(request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, BadRequest | ConfigError) else 500
        return JSONResponse({"error": str(exc)}, status_code=status)

    routes = [
        Route("/", root),
        Route("/site", lambda r: RedirectResponse("/site/", 307)),
        Route("/site/{path:path}", site_page),
        Route("/chat", chat),
        Route("/static/{name}", static),
        Route("/api/health", health),
        Route("/api/learners", list_learners, methods=["GET"]),
        Route("/api/learners", save_learner, methods=["POST"]),
        Route("/api/progress", progress),
        Route("/api/ask", ask, methods=["POST"]),
        Route("/api/quiz", quiz, methods=["POST"]),
        Route("/api/quiz/grade", grade, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={KcError: kc_error})
    return Guard(app, token=token, allowed_hosts=allowed_hosts)


def _event(name: str, data: dict[str, Any]) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}


def _plan(view: Any, plan: Any) -> dict[str, Any]:
    data = plan.to_dict()
    for source in data.get("sources", ()):  # the page shows which sources, not their text again
        source.pop("text", None)
    concepts = view.corpus.concepts
    data["titles"] = {
        s["concept"]: concepts[s["concept"]].title for s in data.get("skipped", ()) if s["concept"] in concepts
    }
    return data


def _profile(profile: Any) -> dict[str, Any]:
    data = profile.to_dict()
    return {k: data[k] for k in ("name", "level", "background", "goal") if k in data}


def _entry(entry: Any) -> dict[str, str]:
    return {"concept": entry.concept, "title": entry.title, "status": entry.status}


async def _json_body(request: Any) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def _text(body: dict[str, Any], key: str, limit: int, *, required: bool = False) -> str:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise BadRequest(f"{key} is missing")
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    value = value.strip()
    if required and not value:
        raise BadRequest(f"{key} is blank")
    if len(value) > limit:
        raise BadRequest(f"{key} is over {limit} characters")
    return value
