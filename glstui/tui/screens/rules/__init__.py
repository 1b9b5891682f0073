"""The shipping rules screens of one shop: the list with its preview, and the rule editor.

rule_list.py holds the list screen, editor.py the editor screen, fields.py the editor's
fields (built from a rule and read back), tables.py the list's two tables.
"""

from glstui.tui.screens.rules.editor import RuleEditScreen
from glstui.tui.screens.rules.rule_list import RulesScreen

__all__ = ["RuleEditScreen", "RulesScreen"]
