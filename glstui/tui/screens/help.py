"""Help: the keys of the current screen (?/F1 modal) and the installation guide (section 6).

`?` lists every key of the screen once (two keys for one thing share a row, "f1 / ?"),
enter included (what the screen or the focused widget does with it), the section keys in
one row; ctrl+p offers the same keys by name (app.get_system_commands uses screen_keys).

The guide follows the portal's "Installatiehandleiding voor Amazon", adapted to a terminal
on a server: the consent page opens on the operator's own computer, not on the server.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Markdown,
    RadioButton,
    RadioSet,
    Static,
)

from glstui.i18n import N_, _, get_language
from glstui.tui.errors import ReportErrors
from glstui.tui.screens.base import BaseScreen, translate_bindings
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import MENU, SectionBar, section_key, section_title

GUIDE_EN = """\
# Installation guide for Amazon

## 1. Keys and settings (once)
Press **5** (Keys). Enter the Amazon app id (`amzn1.sp.solution...`), the LWA client id and
client secret of your SP-API app, and the GLS user name and password (your MyGLS login)
and subscription key. The subscription key comes from GLS NL's API portal,
`api-portal.gls.nl`: sign in, subscribe to the Label API and copy the key; test and live
have separate keys. Press **ctrl+s** to save. The keys are kept in the system keyring or
an encrypted file, never in the data file. **ctrl+t** and **ctrl+g** test Amazon and GLS.

Press **7** (Settings): the printer (a CUPS name, or `host:9100` for a ZPL printer), the
label format, the sender address, how many days the first import looks back, the language
and GLS test or live (the top line always shows which). **ctrl+t** prints a test label.

## 2. Connect an Amazon shop
1. Press **1** (Integrations), then **n** (Add a shop).
2. Choose the region and the marketplaces, optionally a shop name, and press **ctrl+s**.
3. glstui shows the consent link. Open it in a browser on **your own computer**:
   **ctrl+y** copies it (OSC 52), scan the QR code with a phone, or type it over.
4. Log in to Seller Central. On "Authorise GLS" tick *I direct Amazon to provide GLS
   access to my Selling Partner account...* and press **Confirm**.
5. Copy the address of the page Amazon sends you to, paste it into glstui and press
   **enter**. The code in it is valid for 5 minutes: paste it right away.
6. glstui shows "Connected as Amazon A...". Unless you gave a name, the shop is called
   "Amazon" followed by its selling partner id, as in the portal. Amazon asks for a new
   consent every 365 days: the list shows when it is due; press **c** on the shop to
   re-connect.

A private (self-authorized) app: in step 3 press **ctrl+t** and paste the refresh token
from the Developer Console instead.

## 3. Import orders
Press **2** (Import). Tick the shops to include and press **s** (Start import). Progress
and a live log show what comes in; **x** stops. Only active, connected shops import.

## 4. Labels and tracking
Press **3** (Orders), select orders and create GLS labels. When *Update the tracking code
in the shop* is on for the shop (**t** in the list, or the switch in the details), the
tracking code goes back to Amazon as soon as the label is made and Amazon marks the order
*shipped*. Nothing is sent twice, nothing is lost when glstui stops.

## 5. Keys everywhere
The top line follows the portal's menu: Ship (**2** Import, **3** Orders), **4**
Statistics, Settings (**1** Integrations, **5** Keys, **7** General), **6** Support and
**q** Log out. **F2**-**F8** do the same as **1**-**7**. **?** or **F1** shows every key of
the screen, **ctrl+p** lists the actions of the screen and every section by name, **esc**
goes back, **q** logs out and quits (not while typing in a field), **ctrl+q** always quits.
"""

GUIDE_NL = """\
# Installatiehandleiding voor Amazon

## 1. Keys en instellingen (eenmalig)
Druk **5** (Key beheer). Vul het Amazon app id (`amzn1.sp.solution...`), de LWA client id
en client secret van je SP-API app in, en de GLS gebruikersnaam en het wachtwoord (je
MyGLS login) en de subscription key. De subscription key komt uit het API-portaal van
GLS NL, `api-portal.gls.nl`: log in, abonneer je op de Label API en kopieer de key; test
en live hebben elk een eigen key. Druk **ctrl+s** om op te slaan. De keys staan in de
keyring van het systeem of in een versleuteld bestand, nooit in het databestand.
**ctrl+t** en **ctrl+g** testen Amazon en GLS.

Druk **7** (Instellingen): de printer (een CUPS-naam, of `host:9100` voor een
ZPL-printer), het labelformaat, het afzenderadres, hoeveel dagen de eerste import
terugkijkt, de taal en GLS test of live (de bovenste regel toont altijd welke).
**ctrl+t** print een testlabel.

## 2. Een Amazon shop koppelen
1. Druk **1** (Alle integraties) en dan **n** (Voeg een shop toe).
2. Kies de regio en de marktplaatsen, eventueel een shopnaam, en druk **ctrl+s**.
3. glstui toont de toestemmingslink. Open die in een browser op **je eigen computer**:
   **ctrl+y** kopieert hem (OSC 52), scan de QR-code met een telefoon, of typ hem over.
4. Log in op Seller Central. Vink op "Authorise GLS" *Ik geef Amazon toestemming om GLS
   toegang te geven...* aan en klik op **Confirm**.
5. Kopieer het adres van de pagina waar Amazon je heen stuurt, plak het in glstui en druk
   **enter**. De code daarin is 5 minuten geldig: plak hem meteen.
6. glstui toont "Gekoppeld als Amazon A...". Tenzij je een naam gaf, heet de shop
   "Amazon" gevolgd door de selling partner id, zoals in het portaal. Amazon vraagt elke
   365 dagen opnieuw toestemming: de lijst toont wanneer; druk **c** op de shop om
   opnieuw te koppelen.

Een private (zelf-geautoriseerde) app: druk bij stap 3 **ctrl+t** en plak in plaats
daarvan het refresh token uit de Developer Console.

## 3. Orders importeren
Druk **2** (Importeer shop zendingen). Vink de shops aan en druk **s** (Start import).
Voortgang en een live log tonen wat er binnenkomt; **x** stopt. Alleen actieve,
gekoppelde shops importeren.

## 4. Labels en tracking
Druk **3** (Orders), kies orders en maak GLS labels. Staat *Update de trackingcode in de
shop* aan voor de shop (**t** in de lijst, of de schakelaar in de details), dan gaat de
trackingcode naar Amazon zodra het label gemaakt is en zet Amazon de order op
*verzonden*. Niets wordt twee keer verstuurd, niets gaat verloren als glstui stopt.

## 5. Toetsen overal
De bovenste regel volgt het menu van het portaal: Verzenden (**2** Import, **3** Orders),
**4** Statistieken, Instellingen (**1** Integraties, **5** Key beheer, **7** Algemeen),
**6** Support en **q** Uitloggen. **F2**-**F8** doen hetzelfde als **1**-**7**. **?** of
**F1** toont elke toets van het scherm, **ctrl+p** toont de acties van het scherm en elk
onderdeel op naam, **esc** gaat terug, **q** logt uit en sluit af (niet tijdens typen in
een veld), **ctrl+q** sluit altijd af.
"""


def guide() -> str:
    return GUIDE_NL if get_language() == "nl" else GUIDE_EN


class HelpScreen(BaseScreen):
    SECTION = "help"
    HELP = N_(
        "The installation guide. Arrows, page up/down and home/end scroll it; s opens Support "
        "(version, paths, checks, log, audit log, diagnostics bundle, log out)."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "back", N_("Back"), show=False),
        Binding("s", "support", N_("Support")),
    ]

    def action_support(self) -> None:
        from glstui.tui.screens.support import SupportScreen

        self.app.push_screen(SupportScreen())

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(id="guide", classes="page"):
            yield Markdown(guide())
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#guide").focus()

    def focus_main(self) -> None:
        self.query_one("#guide").focus()


def enter_meaning(screen: Screen[Any]) -> str:
    """What enter does on `screen` now: the screen's own word (BaseScreen.ENTER), else what
    the focused widget does with it."""
    meaning = getattr(screen, "ENTER", "")
    if meaning:
        return _(meaning)
    focused = screen.focused
    if isinstance(focused, DataTable):
        return _("Open the row under the cursor")
    if isinstance(focused, Input):
        return _("Confirm the field")
    if isinstance(focused, Button):
        return _("Press the button")
    if isinstance(focused, Checkbox | RadioButton | RadioSet):
        return _("Switch the option")
    return ""


# Textual's own keys, in our words (its descriptions are English only).
OWN_WORDS = {
    "command_palette": N_("All actions by name"),
    "app.command_palette": N_("All actions by name"),
    "quit": N_("Quit (also while typing)"),
    "app.quit": N_("Quit (also while typing)"),
}


def screen_keys(screen: Screen[Any], *, with_app: bool = True) -> list[tuple[str, str, str, Any]]:
    """(key as typed, description, action, node) of every key that works on `screen` now,
    one row per description and key; section keys are left out (one summary row in ?)."""
    rows: list[tuple[str, str, str, Any]] = []
    seen: set[tuple[str, str]] = set()
    described: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description
        if not description or binding.system or not active.enabled:
            continue
        if binding.action == "screen.copy_text" or key.startswith("super+"):
            continue  # mouse-selection copy: not a keyboard action
        if binding.action in ("app.focus_next", "app.focus_previous"):
            continue  # Textual's own tab / shift+tab: one translated row at the end
        if binding.action.startswith(("section", "app.section")):
            continue  # 1-7 and F2-F8: one row at the end
        if active.node not in (screen, screen.app) or (not with_app and active.node is screen.app):
            continue  # the focused widget's own keys (cursor, scroll) need no explaining
        label = screen.app.get_key_display(binding)
        description = _(OWN_WORDS.get(binding.action, description))
        if (label, description) in seen:
            continue
        seen.add((label, description))
        if description in described:  # a second key for the same thing: one row "a / b"
            index = next(i for i, row in enumerate(rows) if row[1] == description)
            first = rows[index]
            rows[index] = (f"{first[0]} / {label}", *first[1:])
            continue
        described.add(description)
        rows.append((label, description, binding.action, active.node))
    return rows


def sections_text() -> str:
    """The section keys grouped as the portal's menu: "Ship: 2 Import, 3 Orders · ..."."""
    groups = []
    for title, modes in MENU:
        if len(modes) == 1:  # as the top line shows it: "6 Support"
            groups.append(f"{section_key(modes[0])} {_(title)}")
            continue
        keys = ", ".join(f"{section_key(m)} {section_title(m)}" for m in modes)
        groups.append(f"{_(title)}: {keys}")
    return " · ".join(groups)


def key_table(screen: Screen[Any]) -> Table:
    """The keys that work on `screen` now, as the operator types them (enter included)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rows = screen_keys(screen)
    for label, description, _action, _node in rows:
        table.add_row(label, description)
    enter = enter_meaning(screen)
    if enter:
        table.add_row(screen.app.get_key_display(Binding("enter", "")), enter)
    table.add_row("1-7, F2-F8", sections_text())
    listed = {description for _label, description, _a, _n in rows}
    for label, description in (
        ("^p", _(OWN_WORDS["command_palette"])),
        (_("tab / shift+tab"), _("Next / previous field")),
        ("^q", _(OWN_WORDS["quit"])),
    ):
        if description not in listed:
            table.add_row(label, description)
    return table


class HelpModal(ReportErrors, ModalScreen[None]):
    """?/F1: what this screen is for and every key that works on it."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,q,question_mark,f1", "close", N_("Close")),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        translate_bindings(self)
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        help_text = getattr(self.for_screen, "help_text", lambda: "")()
        with Vertical(classes="dialog wide help"):
            yield Static(Text(_("Help"), style="bold"), classes="title")
            with VerticalScroll(id="help-body"):
                if help_text:
                    yield Static(Text(help_text), classes="help-text")
                yield Static(Text(_("Keys on this screen"), style="bold"))
                yield Static(key_table(self.for_screen))
            yield Static(_("esc closes · 6 opens the installation guide"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
