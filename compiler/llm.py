"""LLM clients: Anthropic and any OpenAI-compatible server, with retries and one ``complete()``.

In: a provider name (``anthropic`` | ``openai``), settings (model, base URL, timeout, retries)
and a prompt. Out: the model's text, or an ``LLMError`` that says what happened, where, and
what to do. The compiler (``kc build --llm`` summaries) and the tutor's backends both sit on
top of this module; it imports nothing from either. SDKs are imported on first use, so
importing this module is cheap.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from typing import Any, Protocol

from compiler.errors import ConfigError, LLMError

DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-6"  # configurable: KC_TUTOR_MODEL / --model
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_RETRIES = 2  # the SDKs retry connection errors, 408/409/429 and 5xx with backoff
PROVIDERS = ("anthropic", "openai")


class Client(Protocol):
    """What a caller needs for a plain completion."""

    name: str
    model: str

    def complete(self, system: str, prompt: str) -> str:
        """``system`` instructions and one user ``prompt``; the model's text back."""
        ...


def one_line(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---- errors ----------------------------------------------------------------------
def llm_error(provider: str, exc: Exception, *, base_url: str, retries: int, timeout: float) -> LLMError:
    """A clear LLMError for an SDK exception: what happened, where, and what to do."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    where = base_url or "the default endpoint"
    tries = f"after {retries + 1} attempt{'s' if retries else ''}"
    if name == "RateLimitError" or status == 429:
        return LLMError(
            f"{provider}: rate limited (HTTP 429) at {where} {tries}; wait a minute and retry, or use --backend offline"
        )
    if name in {"AuthenticationError", "PermissionDeniedError"} or status in {401, 403}:
        key = "ANTHROPIC_API_KEY" if provider == "anthropic" else "OPENAI_API_KEY"
        return LLMError(f"{provider}: the API key was rejected (HTTP {status}) at {where}; check {key}")
    if name == "APITimeoutError":
        return LLMError(
            f"{provider}: no answer within {timeout:g}s from {where} {tries}; retry later or raise the timeout (llm_timeout)"
        )
    if name == "APIConnectionError":
        return LLMError(
            f"{provider}: cannot connect to {where} {tries}; check the base URL and that the server is running"
        )
    if status is not None and status >= 500:
        return LLMError(
            f"{provider}: server error (HTTP {status}) at {where} {tries}; retry later or use --backend offline"
        )
    if status is not None:
        detail = one_line(str(getattr(exc, "message", exc)), 300)
        return LLMError(f"{provider}: request refused (HTTP {status}) at {where}: {detail}")
    return LLMError(f"{provider}: {name}: {one_line(str(exc), 300)} (at {where})")


def guard(client: Any, sdk_module: str):
    """Wrap an iterator so SDK exceptions raised while it runs become LLMError."""

    def wrap(chunks: Iterator[str]) -> Iterator[str]:
        try:
            yield from chunks
        except Exception as exc:
            if type(exc).__module__.split(".")[0] != sdk_module:
                raise
            raise llm_error(
                client.name, exc, base_url=client.base_url, retries=client.max_retries, timeout=client.timeout
            ) from exc

    return wrap


def sdk_client(package: str, class_name: str, client: Any) -> Any:
    """The official SDK's client, imported only when first needed; it does the retries."""
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise ConfigError(
            f"the {package} backend needs the '{package}' package: pip install 'knowledge-compiler[llm]'"
        ) from exc
    return getattr(module, class_name)(
        api_key=client.api_key, base_url=client.base_url or None, timeout=client.timeout, max_retries=client.max_retries
    )


def usage_of(usage: Any) -> dict[str, Any]:
    """Token counts from an SDK usage object, whichever provider sent it."""
    if usage is None:
        return {}
    names = (
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "prompt_tokens",
        "completion_tokens",
    )
    return {n: getattr(usage, n) for n in names if getattr(usage, n, None) is not None}


# ---- clients ---------------------------------------------------------------------
class AnthropicClient:
    """Claude through the official SDK; ``complete`` caches the system prompt."""

    name = "anthropic"

    def __init__(
        self,
        *,
        model: str = "",
        api_key: str = "",
        base_url: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_tokens: int = 4096,
    ) -> None:
        self.model = model or DEFAULT_ANTHROPIC_MODEL
        self.api_key = api_key or os.environ.get("ANTHROPIC_API_KEY", "")
        self.base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL", "")
        if not self.api_key:
            raise ConfigError("the anthropic backend needs an API key: set ANTHROPIC_API_KEY, or use --backend offline")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = sdk_client("anthropic", "Anthropic", self)
        return self._client

    def complete(self, system: str, prompt: str) -> str:
        body = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": prompt}],
        }

        def run() -> Iterator[str]:
            message = self.client.messages.create(**body)
            yield "".join(block.text for block in message.content if block.type == "text")

        return "".join(guard(self, "anthropic")(run()))


class OpenAIClient:
    """Any OpenAI-compatible chat server (OpenAI, vLLM, llama.cpp, Ollama) through the official SDK."""

    name = "openai"

    def __init__(
        self,
        *,
        model: str = "",
        api_key: str = "",
        base_url: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_tokens: int = 4096,
    ) -> None:
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL", "")
        # Local servers accept any key; the SDK refuses to start without one.
        self.api_key = api_key or os.environ.get("OPENAI_API_KEY", "") or ("not-needed" if self.base_url else "")
        if not self.api_key:
            raise ConfigError(
                "the openai backend needs OPENAI_API_KEY, or a base URL of a local server (KC_LLM_BASE_URL / --base-url)"
            )
        self.model = model or os.environ.get("OPENAI_MODEL", "")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = sdk_client("openai", "OpenAI", self)
        return self._client

    def resolved_model(self) -> str:
        """The configured model, else the first one the server lists (local servers usually serve one)."""
        if not self.model:
            try:
                models = [m.id for m in self.client.models.list()]
            except Exception as exc:
                raise llm_error(
                    self.name, exc, base_url=self.base_url, retries=self.max_retries, timeout=self.timeout
                ) from exc
            if not models:
                raise ConfigError(
                    f"openai: {self.base_url or 'the server'} lists no models; set KC_TUTOR_MODEL or --model"
                )
            self.model = models[0]
        return self.model

    def chat(self, body: dict[str, Any], *, stream: bool, usage: dict[str, Any]) -> Iterator[str]:
        """Run a chat completions request; text as it arrives, token counts into ``usage``."""
        if not stream:
            response = self.client.chat.completions.create(**body)
            usage.update(usage_of(response.usage))
            yield (response.choices[0].message.content or "") if response.choices else ""
            return
        chunks = self.client.chat.completions.create(**body, stream=True)
        try:
            for chunk in chunks:
                if getattr(chunk, "usage", None):
                    usage.update(usage_of(chunk.usage))
                for choice in chunk.choices or ():
                    text = getattr(choice.delta, "content", None)
                    if text:
                        yield text
        finally:
            chunks.close()

    def complete(self, system: str, prompt: str) -> str:
        def run() -> Iterator[str]:
            body = {
                "model": self.resolved_model(),
                "max_tokens": self.max_tokens,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            }
            yield from self.chat(body, stream=False, usage={})

        return "".join(guard(self, "openai")(run()))


# ---- settings ----------------------------------------------------------------------
def setting(settings: Any, name: str, default: Any) -> Any:
    """The declared setting ``name`` (``Settings`` already folds in ``KC_<NAME>``), else the environment, else
    ``default``; converted to the default's type."""
    value = getattr(settings, name, None) if settings is not None else None
    if value is None:
        value = os.environ.get("KC_" + name.upper(), default)
    try:
        return type(default)(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r}: {value!r} is not a valid {type(default).__name__}") from exc


def client_options(settings: Any) -> dict[str, Any]:
    """Timeout and retries from the settings (``llm_timeout``, ``llm_max_retries``)."""
    return {
        "timeout": setting(settings, "llm_timeout", DEFAULT_TIMEOUT),
        "max_retries": setting(settings, "llm_max_retries", DEFAULT_MAX_RETRIES),
    }


def make_client(
    provider: str, settings: Any = None, *, model: str = "", base_url: str = "", api_key: str = ""
) -> Client:
    """The client for ``provider`` (anthropic | openai), configured from settings and the environment."""
    classes = {"anthropic": AnthropicClient, "openai": OpenAIClient}
    if provider not in classes:
        raise ConfigError(f"unknown LLM provider {provider!r}: use one of {', '.join(PROVIDERS)}")
    return classes[provider](model=model, api_key=api_key, base_url=base_url, **client_options(settings))


def complete(system: str, prompt: str, *, settings: Any = None, client: Client | None = None) -> str:
    """One completion with the build-time LLM (``Settings.llm``: anthropic | openai); LLMError when none is set."""
    if client is None:
        name = getattr(settings, "llm", "none") if settings is not None else "none"
        if not name or name == "none":
            raise LLMError(
                "no LLM configured for build-time summaries: set llm = 'anthropic' or 'openai' in kc.toml (or KC_LLM)"
            )
        client = make_client(
            name, settings, model=getattr(settings, "llm_model", ""), base_url=getattr(settings, "llm_base_url", "")
        )
    return client.complete(system, prompt)


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in a model's reply (models wrap JSON in prose or code fences)."""
    start = text.find("{")
    while start != -1:
        depth = 0
        in_string = False
        escaped = False
        for position in range(start, len(text)):
            char = text[position]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(text[start : position + 1])
                    except ValueError:
                        break
                    return value if isinstance(value, dict) else None
        start = text.find("{", start + 1)
    return None
