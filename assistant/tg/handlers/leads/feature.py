"""The leads feature: its commands, buttons and flows."""

from __future__ import annotations

from assistant.tg.handlers.leads.adding import add, add_flow, cancel, fix_button, fix_flow
from assistant.tg.handlers.leads.cards import ADD_FLOW, FIX_FLOW
from assistant.tg.handlers.leads.changing import (
    delete,
    edit,
    followup_button,
    followup_menu,
    fu,
    grade,
    keep_button,
    log,
    log_button,
    lost,
    merge_button,
    move,
    reason_button,
    stage_button,
    stage_menu,
    undo_button,
    won,
)
from assistant.tg.handlers.leads.looking import (
    find,
    lead_button,
    lead_command,
    leads_command,
    page_button,
)
from assistant.tg.registry import CommandSpec, Feature

FEATURE = Feature(
    commands=[
        CommandSpec("add", "leads", add),
        CommandSpec("lead", "leads", lead_command),
        CommandSpec("leads", "leads", leads_command),
        CommandSpec("find", "leads", find),
        CommandSpec("log", "leads", log),
        CommandSpec("fu", "leads", fu),
        CommandSpec("move", "leads", move),
        CommandSpec("won", "leads", won),
        CommandSpec("lost", "leads", lost),
        CommandSpec("edit", "leads", edit),
        CommandSpec("del", "leads", delete),
        CommandSpec("grade", "leads", grade),
        CommandSpec("cancel", "leads", cancel),
    ],
    callbacks={
        "lead": lead_button,
        "lg": log_button,
        "lmv": stage_menu,
        "lst": stage_button,
        "llr": reason_button,
        "lfu": followup_menu,
        "lfs": followup_button,
        "lfx": fix_button,
        "lpg": page_button,
        "lmg": merge_button,
        "lkb": keep_button,
        "lun": undo_button,
    },
    flows={ADD_FLOW: add_flow, FIX_FLOW: fix_flow},
)
