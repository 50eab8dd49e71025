"""One tutor session per learner for the web app, each used by one request at a time.

In: a ``Service`` and a ``LearnerStore``. Out: ``Learners.use(name)``, an async context giving
the learner's ``TutorSession`` (made on first use, remade when the corpus was rebuilt) under
that learner's lock, so two tabs of one learner take turns and two learners run side by side;
the learner's open quiz is kept beside the session. State lives in the store (SQLite, WAL,
busy timeout: see ``compiler.tutor.learner``) and in the session's history, both keyed by the
learner's name, so one learner's requests never read another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from compiler.service import CorpusView, Service

MAX_LEARNERS_IN_MEMORY = 256  # sessions kept warm; the oldest idle one is dropped beyond this (its store rows stay)


@dataclass
class LearnerSlot:
    """A learner's live session, the view it was made on, and the quiz they are answering."""

    session: Any
    view: CorpusView
    quiz: Any = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Learners:
    def __init__(self, service: Service, store: Any) -> None:
        self.service = service
        self.store = store
        self._slots: dict[str, LearnerSlot] = {}
        self._guard = asyncio.Lock()

    async def _slot(self, name: str) -> LearnerSlot:
        async with self._guard:
            view = self.service.view()
            slot = self._slots.get(name)
            if slot is None or slot.view is not view:  # new learner, or the corpus was rebuilt
                from anyio import to_thread

                session = await to_thread.run_sync(
                    lambda: self.service.session(learner=name, store=self.store, view=view)
                )
                slot = LearnerSlot(session=session, view=view)
                self._slots.pop(name, None)
                self._slots[name] = slot
                while len(self._slots) > MAX_LEARNERS_IN_MEMORY:
                    oldest = next(iter(self._slots))
                    if self._slots[oldest].lock.locked():
                        break
                    del self._slots[oldest]
            return slot

    @asynccontextmanager
    async def use(self, name: str) -> AsyncIterator[LearnerSlot]:
        """The learner's slot, held exclusively for the duration of the block."""
        slot = await self._slot(name)
        async with slot.lock:
            yield slot
