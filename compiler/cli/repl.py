"""``kc tutor``: the interactive chat. Markdown rendered with rich, answers streamed, slash commands.

Commands: /level [novice|intermediate|expert], /goal [text], /quiz [concept], /path, /why, /help, /exit.
Anything else is a question. Errors (a model that is down, an unknown concept) are
printed and the conversation goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compiler.errors import KcError
from compiler.tutor.learner import LEVELS
from compiler.tutor.quiz import LETTERS, parse_choice
from compiler.tutor.session import TutorSession

HELP = """**Commands**

- `/level [novice|intermediate|expert]` — show or change how deep answers go
- `/quiz [concept]` — check yourself on a concept (default: the one you just asked about)
- `/goal [what you want to do]` — show or set your goal; targets and the path follow it
- `/path` — the learning path (what your goal needs first) and where you stand
- `/why` — why the last answer taught what it taught
- `/exit` — leave (Ctrl-D works too)

Anything else is a question about the codebase."""

STATUS_MARKS = {
    "passed": "[green]✔ passed     [/]",
    "failed": "[red]✘ quiz failed[/]",
    "explained": "[cyan]• explained  [/]",
    "seen": "[dim]· seen       [/]",
    "new": "[dim]  new        [/]",
}


def make_console(**kwargs: Any) -> Any:
    from rich.console import Console

    return Console(highlight=False, **kwargs)


def run_repl(
    session: TutorSession, *, console: Any = None, read: Callable[[str], str] | None = None, stream: bool = True
) -> int:
    """Chat until /exit or end of input; returns the exit status."""
    console = console or make_console()
    read = read or (lambda prompt: console.input(prompt))
    corpus = session.corpus
    console.print(
        f"[bold]kc tutor[/] — corpus [bold]{corpus.core.source.name}[/] ({len(corpus.core.concepts)} concepts)"
        f" · learner [bold]{session.learner}[/] ({session.level}) · backend [bold]{session.backend.name}[/]"
    )
    console.print("Ask a question about the code, or type [bold]/help[/].")
    while True:
        try:
            line = read("\n[bold cyan]you>[/] ").strip()
        except EOFError:
            console.print()
            return 0
        except KeyboardInterrupt:
            console.print("\n[dim](Ctrl-C: type /exit to leave)[/]")
            continue
        if not line:
            continue
        try:
            if line.startswith("/"):
                if handle_command(session, line, console, read) == "exit":
                    return 0
            else:
                answer_question(session, line, console, stream=stream)
        except KcError as exc:
            console.print(f"[red]error:[/] {exc}")
        except KeyboardInterrupt:
            console.print("\n[dim](interrupted)[/]")


def answer_question(session: TutorSession, question: str, console: Any, *, stream: bool = True) -> Any:
    """Ask, render the answer as it arrives, then list its checked sources."""

    answer_stream = session.ask(question, stream=stream)
    if console.is_terminal:
        render_markdown_stream(answer_stream, console)
    else:
        for chunk in answer_stream:
            console.file.write(chunk)
            console.file.flush()
        console.print()
    answer = answer_stream.result()
    print_sources(answer, console)
    if not answer.covered:
        console.print("[yellow]Not covered:[/] this question is not about this codebase (covered: false).")
    return answer


def render_markdown_stream(chunks: Any, console: Any) -> None:
    """Render streamed markdown: finished blocks are printed for good, only the block being written stays live.

    Keeping just the current block in the live area means a long answer never outgrows
    the screen, which a live display cannot redraw.
    """
    from rich.live import Live
    from rich.markdown import Markdown

    pending = ""
    with Live(Markdown(""), console=console, refresh_per_second=8, transient=True) as live:
        for chunk in chunks:
            pending += chunk
            cut = complete_blocks_end(pending)
            if cut:
                live.console.print(Markdown(pending[:cut]))
                pending = pending[cut:]
            live.update(Markdown(pending))
    if pending.strip():
        console.print(Markdown(pending))


def complete_blocks_end(text: str) -> int:
    """Where the finished markdown blocks of ``text`` end: the last blank line outside a code fence (0: none)."""
    end = 0
    fence = ""
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not line.endswith("\n"):
            break  # the last line is still being written
        if fence:
            if stripped.startswith(fence) and stripped.strip("`~") == "":
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3] if stripped.startswith("~~~") else "`" * (len(stripped) - len(stripped.lstrip("`")))
        elif not stripped and position:
            end = position + len(line)
        position += len(line)
    return end


def print_sources(answer: Any, console: Any) -> None:
    if answer.citations:
        refs = ", ".join(str(c) for c in answer.citations[:12])
        more = f" and {len(answer.citations) - 12} more" if len(answer.citations) > 12 else ""
        console.print(f"[dim]Sources (checked): {refs}{more}[/]", soft_wrap=True)
    if answer.rejected_citations:
        console.print(
            f"[yellow]Removed {len(answer.rejected_citations)} unverified reference(s):[/] "
            + "; ".join(f"{r.citation} ({r.reason})" for r in answer.rejected_citations[:5]),
            soft_wrap=True,
        )


def handle_command(session: TutorSession, line: str, console: Any, read: Callable[[str], str]) -> str | None:
    """Run a slash command; returns "exit" to leave."""
    from rich.markdown import Markdown

    command, _, argument = line.partition(" ")
    command = command.lower()
    argument = argument.strip()
    if command in {"/exit", "/quit", "/q"}:
        return "exit"
    if command in {"/help", "/?"}:
        console.print(Markdown(HELP))
    elif command == "/level":
        if not argument:
            console.print(f"Level: [bold]{session.level}[/] (choose from {', '.join(LEVELS)})")
        else:
            level = session.set_level(argument)
            console.print(f"Level set to [bold]{level}[/]; it is saved in your profile.")
    elif command == "/goal":
        if not argument:
            console.print(
                f"Goal: [bold]{session.profile.goal or 'not set'}[/] (set one: /goal write a CLI with subcommands)"
            )
        else:
            goal = session.set_goal(argument)
            console.print(f"Goal set to [bold]{goal}[/]; it is saved in your profile. Your path now starts with:")
            print_path(session, console, limit=4)
    elif command == "/path":
        print_path(session, console)
    elif command == "/why":
        console.print(Markdown(session.why()))
    elif command == "/quiz":
        run_quiz(session, argument or None, console, read)
    else:
        console.print(f"Unknown command {command}; type /help.")
    return None


def print_path(session: TutorSession, console: Any, limit: int | None = None) -> None:
    """The learning path, what the goal needs first (marked ★), with the learner's status on each concept."""
    for number, entry in enumerate(session.path()[:limit], start=1):
        mark = "[yellow]★[/] " if entry.on_goal else "  "
        console.print(f"{number:>2}. {mark}{STATUS_MARKS[entry.status]}  {entry.title} [dim]({entry.concept})[/]")


def run_quiz(session: TutorSession, concept: str | None, console: Any, read: Callable[[str], str]) -> Any:
    """Ask each question, read a choice, grade, and record the result."""
    quiz = session.quiz(concept)
    console.print(
        f"\n[bold]Quiz: {quiz.title}[/] ({len(quiz.questions)} question{'s' if len(quiz.questions) > 1 else ''};"
        " answer with a letter)"
    )
    responses: list[int | None] = []
    for number, question in enumerate(quiz.questions, start=1):
        console.print(f"\n[bold]Q{number}.[/] {question.prompt}", soft_wrap=True)
        for index, choice in enumerate(question.choices):
            console.print(f"  {LETTERS[index]}) {choice}", soft_wrap=True)
        chosen = None
        for _ in range(3):
            try:
                reply = read(f"[bold cyan]answer ({LETTERS[0]}-{LETTERS[len(question.choices) - 1]})>[/] ")
            except EOFError:
                reply = ""
                break
            chosen = parse_choice(question, reply)
            if chosen is not None or reply.strip().lower() in {"/skip", "skip", ""}:
                break
            console.print(f"Please answer with a letter from A to {LETTERS[len(question.choices) - 1]}.")
        responses.append(chosen)
        right = chosen == question.answer
        mark = (
            "[green]Right.[/]"
            if right
            else f"[red]Not quite[/] — the answer is {LETTERS[question.answer]}) {question.choices[question.answer]}."
        )
        console.print(f"{mark} {question.explanation}", soft_wrap=True)
    result = session.grade_quiz(quiz, responses)
    verdict = "[green]passed[/]" if result.passed else "[yellow]not passed yet[/]"
    follow = (
        "answers will no longer re-teach it."
        if result.passed
        else "it will be taught again when a question builds on it."
    )
    console.print(f"\nScore {result.correct}/{result.total}: {verdict} — saved; {follow}")
    return result
