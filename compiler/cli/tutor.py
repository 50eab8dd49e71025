"""The tutor's subcommands: ``kc ask``, ``kc tutor``, ``kc learner``. Light: heavy imports happen inside the handlers."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

LEVEL_CHOICES = ("novice", "intermediate", "expert")
BACKEND_CHOICES = ("offline", "anthropic", "openai")


def register(subparsers: Any) -> None:
    """Add ask, tutor and learner to the ``kc`` command."""
    ask = subparsers.add_parser(
        "ask",
        help="answer one question about a compiled codebase, with checked citations",
        description="Answer one question, adapted to the learner, citing real lines of the corpus.",
    )
    ask.add_argument("question", nargs="+", help="the question (quote it, or pass several words)")
    _session_options(ask)
    ask.add_argument("--level", choices=LEVEL_CHOICES, help="answer at this level (the profile is not changed)")
    ask.add_argument("--json", action="store_true", help="print the answer, the plan and the citations as JSON")
    ask.add_argument("--no-stream", action="store_true", help="print the answer when it is complete")
    ask.set_defaults(func=_pipe_safe(run_ask))

    tutor = subparsers.add_parser(
        "tutor",
        help="interactive tutor chat over a compiled codebase",
        description="Chat with a tutor that knows the codebase and remembers what you covered. "
        "Commands inside: /level, /quiz, /path, /why, /help, /exit.",
    )
    _session_options(tutor)
    tutor.add_argument("--level", choices=LEVEL_CHOICES, help="start at this level (saved to the profile)")
    tutor.add_argument("--no-stream", action="store_true", help="show each answer when it is complete")
    tutor.set_defaults(func=run_tutor)

    learner = subparsers.add_parser(
        "learner",
        help="create, show, update or reset learner profiles",
        description="Learner profiles and progress, stored in one SQLite file.",
    )
    actions = learner.add_subparsers(dest="action", metavar="ACTION")
    create = actions.add_parser("create", help="create a learner profile")
    create.add_argument("name")
    _profile_options(create, defaults=True)
    create.set_defaults(func=run_learner_create)
    show = actions.add_parser("show", help="show a profile and its progress")
    show.add_argument("name")
    show.add_argument("--corpus", help="also show the status on this corpus's learning path")
    show.add_argument("--json", action="store_true")
    show.add_argument("--learner-db", help="learner store file (default: KC_LEARNER_DB or the user data dir)")
    show.set_defaults(func=_pipe_safe(run_learner_show))
    path = actions.add_parser(
        "path", help="the learning path for a learner's goal (or --goal, free text) and where they stand"
    )
    path.add_argument("name")
    path.add_argument("--corpus", required=True, help="compiled corpus directory")
    path.add_argument("--goal", help="free-text goal, resolved by search to concepts (default: the profile's goal)")
    path.add_argument("--json", action="store_true")
    path.add_argument("--learner-db", help="learner store file (default: KC_LEARNER_DB or the user data dir)")
    path.set_defaults(func=_pipe_safe(run_learner_path))
    update = actions.add_parser("update", help="change a profile")
    update.add_argument("name")
    _profile_options(update, defaults=False)
    update.set_defaults(func=run_learner_update)
    reset = actions.add_parser("reset", help="forget a learner's progress (all corpora, or one)")
    reset.add_argument("name")
    reset.add_argument("--corpus", help="only the progress on this corpus directory")
    reset.add_argument("--learner-db", help="learner store file")
    reset.set_defaults(func=run_learner_reset)
    listing = actions.add_parser("list", help="list learners")
    listing.add_argument("--learner-db", help="learner store file")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_learner_list)
    delete = actions.add_parser("delete", help="delete a learner and their progress")
    delete.add_argument("name")
    delete.add_argument("--learner-db", help="learner store file")
    delete.set_defaults(func=run_learner_delete)
    learner.set_defaults(func=lambda args: (learner.print_help(), 2)[1])


def _pipe_safe(handler: Any) -> Any:
    """``kc ask ... | head`` closes the pipe early: stop quietly instead of a traceback."""
    import functools

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except BrokenPipeError:
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0

    return run


def _session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", default="./corpus", help="corpus directory (default: ./corpus)")
    parser.add_argument("--learner", help="learner name (default: KC_LEARNER or 'default'; created on first use)")
    parser.add_argument(
        "--backend",
        choices=BACKEND_CHOICES,
        help="who writes the answer (default: KC_TUTOR_BACKEND, else anthropic when ANTHROPIC_API_KEY is set, else offline)",
    )
    parser.add_argument("--model", help="model id for the anthropic/openai backend (default: KC_TUTOR_MODEL)")
    parser.add_argument("--base-url", help="API base URL (an OpenAI-compatible server, or an Anthropic proxy)")
    parser.add_argument("--learner-db", help="learner store file (default: KC_LEARNER_DB or the user data dir)")


def _profile_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    parser.add_argument("--level", choices=LEVEL_CHOICES, default="intermediate" if defaults else None)
    parser.add_argument("--background", help="languages and tools you know, comma-separated: 'java, spring'")
    parser.add_argument("--goal", help="what you want to do: 'fix a bug in routing'")
    parser.add_argument("--language", help="language of the answers (default: en)", default="en" if defaults else None)
    parser.add_argument("--learner-db", help="learner store file (default: KC_LEARNER_DB or the user data dir)")


# ---- helpers -------------------------------------------------------------------------
def _settings(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from compiler.config import load_settings

    overrides = {
        "learner_db": getattr(args, "learner_db", None),
        "tutor_backend": getattr(args, "backend", None),
        "tutor_model": getattr(args, "model", None),
    }
    cwd = Path.cwd()
    source = cwd if (cwd / "kc.toml").is_file() or (cwd / "pyproject.toml").is_file() else None
    return load_settings(source, **overrides)


def _store(args: argparse.Namespace, settings: Any = None) -> Any:
    from compiler.tutor.learner import LearnerStore

    return LearnerStore(settings=settings or _settings(args))


def _learner_name(args: argparse.Namespace) -> str:
    import os

    from compiler.tutor.learner import DEFAULT_LEARNER

    return args.learner or os.environ.get("KC_LEARNER") or DEFAULT_LEARNER


def open_session(args: argparse.Namespace, *, level: str | None = None) -> Any:
    """Corpus, learner store, backend and retrieval wired into a TutorSession from CLI arguments."""
    from compiler.corpus import open_corpus
    from compiler.tutor.llm import make_backend
    from compiler.tutor.plan import index_retrieve
    from compiler.tutor.session import TutorSession

    settings = _settings(args)
    corpus = open_corpus(args.corpus)
    backend = make_backend(
        getattr(args, "backend", None),
        settings,
        model=getattr(args, "model", None) or "",
        base_url=getattr(args, "base_url", None) or "",
    )
    return TutorSession(
        corpus,
        backend=backend,
        store=_store(args, settings),
        learner=_learner_name(args),
        retrieve=index_retrieve(args.corpus, settings, corpus),
        level=level,
    )


# ---- handlers ----------------------------------------------------------------------------
def run_ask(args: argparse.Namespace) -> int:
    from compiler.cli.repl import make_console, print_sources, render_markdown_stream

    session = open_session(args, level=args.level)
    question = " ".join(args.question)
    stream = session.ask(question, stream=not args.no_stream and not args.json)
    if args.json:
        answer = stream.result()
        data = {"question": question, **answer.to_dict()}
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    console = make_console()
    if console.is_terminal:
        render_markdown_stream(stream, console)
        answer = stream.result()
    else:
        for chunk in stream:
            sys.stdout.write(chunk)
            sys.stdout.flush()
        answer = stream.result()
        sys.stdout.write("\n")
    print_sources(answer, console)
    return 0


def run_tutor(args: argparse.Namespace) -> int:
    from compiler.cli.repl import run_repl

    session = open_session(args)
    if args.level:
        session.set_level(args.level)
    return run_repl(session, stream=not args.no_stream)


def run_learner_create(args: argparse.Namespace) -> int:
    store = _store(args)
    profile = store.create(
        args.name, level=args.level, background=args.background, goal=args.goal or "", language=args.language or "en"
    )
    print(f"created learner {profile.name} ({profile.level}) in {store.path}")
    return 0


def run_learner_update(args: argparse.Namespace) -> int:
    store = _store(args)
    profile = store.update(
        args.name, level=args.level, background=args.background, goal=args.goal, language=args.language
    )
    print(
        f"updated learner {profile.name}: level {profile.level}, background {', '.join(profile.background) or '-'},"
        f" goal {profile.goal or '-'}, language {profile.language}"
    )
    return 0


def run_learner_show(args: argparse.Namespace) -> int:
    store = _store(args)
    profile = store.get(args.name)
    corpora = {}
    corpus = None
    if args.corpus:
        from compiler.corpus import open_corpus

        corpus = open_corpus(args.corpus)
        names = [corpus.core.source.name]
    else:
        names = store.corpora(args.name)
    for name in names:
        corpora[name] = store.progress(args.name, name)
    if args.json:
        data = {
            "profile": profile.to_dict(),
            "store": str(store.path),
            "progress": {name: {c: s.to_dict() for c, s in sorted(states.items())} for name, states in corpora.items()},
            "questions": store.questions(args.name, limit=10),
        }
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(f"learner   {profile.name}")
    print(f"level     {profile.level}")
    print(f"knows     {', '.join(profile.background) or '-'}")
    print(f"goal      {profile.goal or '-'}")
    print(f"language  {profile.language}")
    print(f"store     {store.path}")
    for name, states in corpora.items():
        print(f"\n{name}:")
        order = list(corpus.core.learning_path) if corpus is not None else sorted(states)
        if not states and corpus is None:
            print("  nothing yet")
        for concept_id in order:
            state = states.get(concept_id)
            if state is None:
                print(f"  {concept_id:<28} new")
                continue
            parts = []
            if state.quiz_result:
                parts.append(
                    f"quiz {state.quiz_result} ({state.quiz_score:.0%}, {state.quiz_attempts} attempt{'s' if state.quiz_attempts != 1 else ''})"
                )
            if state.explained_count:
                parts.append(f"explained {state.explained_count}x")
            if state.seen_count and not state.explained_count:
                parts.append(f"seen {state.seen_count}x")
            print(f"  {concept_id:<28} {', '.join(parts) or 'seen'}")
    recent = store.questions(args.name, limit=5)
    if recent:
        print("\nrecent questions:")
        for item in recent:
            print(f"  [{item['corpus']}] {item['question']}")
    return 0


def run_learner_path(args: argparse.Namespace) -> int:
    """The learner's path on a corpus, what their goal needs first (★), with their status on each concept."""
    from compiler.corpus import open_corpus
    from compiler.tutor.offline import OfflineBackend
    from compiler.tutor.session import TutorSession

    store = _store(args)
    store.get(args.name)  # an unknown learner is an error, not a new profile
    session = TutorSession(open_corpus(args.corpus), backend=OfflineBackend(), store=store, learner=args.name)
    goal = session.profile.goal if args.goal is None else args.goal
    entries = session.path(goal)
    if args.json:
        data = {"learner": args.name, "goal": goal, "steps": [dataclasses.asdict(e) for e in entries]}
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(f"goal      {goal or '-'}")
    for number, entry in enumerate(entries, start=1):
        mark = "★" if entry.on_goal else " "
        print(f"{number:>3}. {mark} {entry.title:<32} {entry.status}  ({entry.concept})")
    return 0


def run_learner_reset(args: argparse.Namespace) -> int:
    store = _store(args)
    corpus_name = None
    if args.corpus:
        from compiler.corpus import open_corpus

        corpus_name = open_corpus(args.corpus).core.source.name
    removed = store.reset(args.name, corpus_name)
    where = f" on {corpus_name}" if corpus_name else ""
    print(f"reset learner {args.name}{where}: forgot {removed} concept record{'s' if removed != 1 else ''}")
    return 0


def run_learner_list(args: argparse.Namespace) -> int:
    store = _store(args)
    profiles = store.list()
    if args.json:
        json.dump([p.to_dict() for p in profiles], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not profiles:
        print(f"no learners yet in {store.path}; create one with 'kc learner create NAME --level novice'")
    for profile in profiles:
        print(f"{profile.name:<20} {profile.level:<13} {', '.join(profile.background) or '-'}")
    return 0


def run_learner_delete(args: argparse.Namespace) -> int:
    store = _store(args)
    store.delete(args.name)
    print(f"deleted learner {args.name}")
    return 0
