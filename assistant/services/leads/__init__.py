"""Lead use cases: capture, look-up, contacts, stages, grades, follow-ups and delete.

Every change writes LeadEvent rows in the vocabulary of assistant/domain/events.py. A rep sees
only their own leads; managers and owners the whole team's. A lead the person may not see is
"not found", exactly like one that does not exist.


A package: words, queries, events, capture, lifecycle, regrade; its names are re-exported here."""

from __future__ import annotations

from assistant.services.conversation import clear_state as clear_state
from assistant.services.conversation import get_state as get_state
from assistant.services.conversation import set_state as set_state
from assistant.services.leads.capture import Saved as Saved
from assistant.services.leads.capture import capture as capture
from assistant.services.leads.capture import create_lead as create_lead
from assistant.services.leads.capture import draft_from_text as draft_from_text
from assistant.services.leads.capture import validate_draft as validate_draft
from assistant.services.leads.events import _contact_facts as _contact_facts
from assistant.services.leads.events import _event as _event
from assistant.services.leads.events import _grade_event as _grade_event
from assistant.services.leads.events import _regrade as _regrade
from assistant.services.leads.lifecycle import CHAT_FIELDS as CHAT_FIELDS
from assistant.services.leads.lifecycle import delete_lead as delete_lead
from assistant.services.leads.lifecycle import edit_field as edit_field
from assistant.services.leads.lifecycle import log_contact as log_contact
from assistant.services.leads.lifecycle import move_stage as move_stage
from assistant.services.leads.lifecycle import record_contact as record_contact
from assistant.services.leads.lifecycle import reschedule as reschedule
from assistant.services.leads.lifecycle import restore_lead as restore_lead
from assistant.services.leads.lifecycle import set_followup as set_followup
from assistant.services.leads.lifecycle import set_grade as set_grade
from assistant.services.leads.queries import Page as Page
from assistant.services.leads.queries import ShownEvent as ShownEvent
from assistant.services.leads.queries import actor_for_lead as actor_for_lead
from assistant.services.leads.queries import actor_of as actor_of
from assistant.services.leads.queries import find_leads as find_leads
from assistant.services.leads.queries import get_lead as get_lead
from assistant.services.leads.queries import get_lead_by_id as get_lead_by_id
from assistant.services.leads.queries import history as history
from assistant.services.leads.queries import list_leads as list_leads
from assistant.services.leads.queries import owner_name as owner_name
from assistant.services.leads.regrade import REGRADE_BATCH as REGRADE_BATCH
from assistant.services.leads.regrade import regrade_all_teams as regrade_all_teams
from assistant.services.leads.regrade import regrade_batch as regrade_batch
from assistant.services.leads.regrade import regrade_leads as regrade_leads
from assistant.services.leads.words import FOLLOWUP_HORIZON as FOLLOWUP_HORIZON
from assistant.services.leads.words import GRADES as GRADES
from assistant.services.leads.words import NOTE_LIMIT as NOTE_LIMIT
from assistant.services.leads.words import REASON_LIMIT as REASON_LIMIT
from assistant.services.leads.words import SOURCE_LIMIT as SOURCE_LIMIT
from assistant.services.leads.words import TAGS_LIMIT as TAGS_LIMIT
from assistant.services.leads.words import amount_from as amount_from
from assistant.services.leads.words import find_stage as find_stage
from assistant.services.leads.words import lost_reasons as lost_reasons
from assistant.services.leads.words import parse_filter as parse_filter
from assistant.services.leads.words import parse_followup as parse_followup
from assistant.services.leads.words import parse_number as parse_number
from assistant.services.leads.words import pick_reason as pick_reason
from assistant.services.leads.words import typed_source as typed_source
