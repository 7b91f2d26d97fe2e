"""Help pages that read as prose: values named in capitals, flags bare, paragraphs re-flowed.

Typer labels every value ``<str>``, ``<float>`` and even flags ``<bool>``. The root group
(:class:`DispatchGroup`) renames them once, when Typer builds the command tree (for the
console script and for ``typer.testing.CliRunner`` alike): a flag shows no value, an
option its value's kind in capitals (``FLOAT``, ``PATH``) unless it names its own
``metavar``, an argument its name in capitals (``FILE``).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperGroup, TyperOption

_KINDS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "bool": "BOOLEAN"}


def _kind(param: TyperOption) -> str:
    desc = param.type_descriptor
    if desc.is_path:
        return "DIR" if desc.path_type == "dir" else "PATH"
    bare = param.bare_type().removeprefix("list[").removesuffix("]")
    return _KINDS.get(bare, bare.upper())


def tidy_command(command: Any) -> None:
    """Rename the value labels of ``command``'s parameters (and of its subcommands')."""
    for param in getattr(command, "params", []):
        if isinstance(param, TyperOption):
            if param.is_flag or param.count:
                param.metavar = ""
            elif param.metavar is None:
                param.metavar = _kind(param)
        elif isinstance(param, TyperArgument):
            label = param.metavar or (param.name or "value").upper()
            param.metavar = label
            # Typer's argument type column ignores ``metavar``: the name says it all.
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
    _bare_help_option(command)
    for sub in getattr(command, "commands", {}).values():
        tidy_command(sub)


def _bare_help_option(command: Any) -> None:
    """``--help`` is made per call (``get_help_option``): show it as the flag it is."""
    made = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = made(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option


class DispatchGroup(TyperGroup):
    """The root group: tidies every command's help labels once it is built."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        tidy_command(self)
