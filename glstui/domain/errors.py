"""The one error base of glstui, and translatable messages that are filled in late.

Every error type of ours derives from `GlstuiError`, so the TUI's one error handler and the
CLI can tell "ours, with a message for the operator" from "a bug" (logged with its traceback).

How to write a message (the rule `tests/unit/test_messages_dutch.py` enforces):

    raise SellerAlreadyConnected(
        N_("Shop {name} already has seller {seller}. Select it and press c."),
        name=shop.shop_name, seller=seller_id,
    )

- The first argument, `template`, is an English literal marked with `N_` (never an f-string,
  never `_()`), with `{placeholders}`; the values go in as keyword params. A message built
  in a helper is passed as a `Msg(N_("..."), **params)` instead. The catalog check
  then finds the template and demands a Dutch entry for it.
- `user_message` translates the template when it is read (`_(template).format(**params)`), so
  the language chosen at start-up, or switched later, applies. `str(err)` stays English, for
  logs and tracebacks.
- A param is inserted literally (shop names, Amazon and GLS texts): screens escape markup when
  they show the message. A param may itself be a `Msg` (a translatable part such as a hint
  chosen by status code); it is translated with the rest.

domain/, amazon/, gls/ and store/ may not import glstui.i18n, so `N_` lives here and
glstui.i18n installs its translator with `set_translator` when it is imported; before that
(pure domain tests) messages are English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


def N_(text: str) -> str:
    """Mark an English literal for the catalog; it is translated when shown."""
    return text


def _english(text: str) -> str:
    return text


_translate: Callable[[str], str] = _english


def set_translator(translate: Callable[[str], str]) -> None:
    """Called by glstui.i18n: how `user_message` turns an English template into the UI's."""
    global _translate
    _translate = translate


class Msg:
    """A translatable message: an `N_` template and its params, rendered when shown."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: object) -> None:
        self.template = template
        self.params: dict[str, object] = params

    def render(self, translate: Callable[[str], str]) -> str:
        return render(self.template, self.params, translate)

    def __str__(self) -> str:
        return self.render(_english)

    def __repr__(self) -> str:
        return f"Msg({self.template!r})"


def render(template: str, params: Mapping[str, object], translate: Callable[[str], str]) -> str:
    """`translate(template)` filled with params (nested `Msg` translated too).

    A template without params is not formatted, so literal braces in it stay as they are. A
    translation whose placeholders do not fit (a catalog mistake) falls back to English rather
    than hiding the error message behind a KeyError.
    """
    if not params:
        return translate(template)
    values = {k: v.render(translate) if isinstance(v, Msg) else v for k, v in params.items()}
    try:
        return translate(template).format(**values)
    except (KeyError, IndexError, ValueError):
        return template.format(**values)


def current_text(message: str | Msg) -> str:
    """A plain string or a `Msg` as the operator reads it now (in the UI's language)."""
    return message.render(_translate) if isinstance(message, Msg) else _translate(message)


class GlstuiError(Exception):
    """An error an operator can act on: `user_message` says what happened and what to do."""

    def __init__(self, template: str | Msg = "", /, **params: object) -> None:
        if isinstance(template, Msg):  # a message composed elsewhere (see store/storage.py)
            params = {**template.params, **params}
            template = template.template
        self.template = template
        self.params: dict[str, object] = params
        super().__init__(render(template, params, _english))

    @property
    def user_message(self) -> str:
        """The message in the language in use now."""
        return render(self.template, self.params, _translate)

    @property
    def msg(self) -> Msg:
        """The message, still untranslated: to raise another error with the same words."""
        return Msg(self.template, **self.params)


class ValidationError(GlstuiError, ValueError):
    """A value an operator typed breaks a rule; the message says what to do."""

    def __init__(self, field: str, template: str | Msg, /, **params: object) -> None:
        super().__init__(template, **params)
        self.field = field

    @property
    def message(self) -> str:
        return self.user_message
