"""The scripts library: loading and checking the YAML files, team scripts, uses and credit.

The shipped library lives in scripts_library/<locale>/<situation>.yaml next to the package
(a source checkout) or under <prefix>/share/sales-assistant/ (an installed package). Every
file is checked when the bot starts; a bad one stops start-up with its file and line.

A package (shipped, team, picking, uses); its names are re-exported here.
"""

from __future__ import annotations

from assistant.services.scripts.picking import lead_by_id as lead_by_id
from assistant.services.scripts.picking import lead_by_number as lead_by_number
from assistant.services.scripts.picking import lead_facts as lead_facts
from assistant.services.scripts.picking import rank_for_lead as rank_for_lead
from assistant.services.scripts.picking import recent_script_ids as recent_script_ids
from assistant.services.scripts.picking import render_for_lead as render_for_lead
from assistant.services.scripts.picking import render_plain as render_plain
from assistant.services.scripts.picking import suggest_for_lead as suggest_for_lead
from assistant.services.scripts.shipped import LIBRARY_ENVIRONMENT as LIBRARY_ENVIRONMENT
from assistant.services.scripts.shipped import PACKAGE_SHARE as PACKAGE_SHARE
from assistant.services.scripts.shipped import ROOT as ROOT
from assistant.services.scripts.shipped import SHOWN as SHOWN
from assistant.services.scripts.shipped import LibraryError as LibraryError
from assistant.services.scripts.shipped import RenderedScript as RenderedScript
from assistant.services.scripts.shipped import library as library
from assistant.services.scripts.shipped import library_root as library_root
from assistant.services.scripts.shipped import library_scripts as library_scripts
from assistant.services.scripts.shipped import load_library as load_library
from assistant.services.scripts.shipped import render_library_text as render_library_text
from assistant.services.scripts.shipped import render_text as render_text
from assistant.services.scripts.team import TeamScriptDraft as TeamScriptDraft
from assistant.services.scripts.team import add_team_script as add_team_script
from assistant.services.scripts.team import all_scripts as all_scripts
from assistant.services.scripts.team import as_script as as_script
from assistant.services.scripts.team import check_team_text as check_team_text
from assistant.services.scripts.team import edit_team_script as edit_team_script
from assistant.services.scripts.team import list_team_scripts as list_team_scripts
from assistant.services.scripts.team import parse_one_line as parse_one_line
from assistant.services.scripts.team import retire_team_script as retire_team_script
from assistant.services.scripts.team import team_scripts as team_scripts
from assistant.services.scripts.uses import CREDIT_DAYS as CREDIT_DAYS
from assistant.services.scripts.uses import find_script as find_script
from assistant.services.scripts.uses import record_use as record_use
from assistant.services.scripts.uses import stats_for as stats_for
from assistant.services.scripts.uses import team_stats_map as team_stats_map
