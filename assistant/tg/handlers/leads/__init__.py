"""Leads in a private chat: /add, /lead, /leads, /find, /log, /fu, /move, /won, /lost, /edit,
/del, /grade, /cancel, the guided /add flow and the lead card's buttons.

A package (cards, adding, looking, changing, feature); its names are re-exported here.
"""

from __future__ import annotations

from assistant.tg.handlers.leads.adding import save_draft as save_draft
from assistant.tg.handlers.leads.cards import card as card
from assistant.tg.handlers.leads.cards import lead_view as lead_view
from assistant.tg.handlers.leads.feature import FEATURE as FEATURE
