"""The lead event vocabulary: every change to a lead writes one LeadEvent row of these kinds.

Daily numbers and funnels are queries over these events, so writers and readers agree here.

| kind          | from_value   | to_value     | payload                                  |
| ------------- | ------------ | ------------ | ---------------------------------------- |
| created       |              | first stage  | {"source": ..., "grade": ...}            |
| contact       |              | "again" (1)  | {"note": ..., "grade": grade at contact} |
| stage         | old stage    | new stage    | won: {"amount": float}; lost: {"reason": str}      |
| grade         | old grade    | new grade    | {"manual": bool, "auto": bool}           |
| phone         |              | "1"          | phone obtained (转电话), once per lead      |
| wechat        |              | "1"          | WeChat added (转微信), once per lead        |
| followup      |              | ISO time     | {"reason": "cadence" or "manual" or "snooze"} |
| note          |              |              | {"note": ...}                            |
| edit          | field        |              | {"field": ..., "old": ..., "new": ...}   |
| deleted       |              |              | soft delete (undo within 24 h)           |
| restored      |              |              |                                          |
| assigned      | old owner id | new owner id | {"by": person id}                        |
| script        |              | script id    | {"script": id} when a rep used a script  |
| moved         | old number   | new number   | {"from_team": id, "to_team": id}         |

A "moved" event marks a lead brought from its owner's personal space into a team.

(1) a contact with a lead that already had one that local day (the person's time zone): counted
as a contact, but it earns no leaderboard points (pressing "log contact" again farms nothing).

`owner_id` on the event is the lead's owner when the event happened, `actor_id` who did it,
`at` when (UTC). A stage event to "won" counts as a deal; its `amount` is the revenue.
"""

from __future__ import annotations

from typing import Final

CREATED: Final = "created"
CONTACT: Final = "contact"
CONTACT_AGAIN: Final = "again"  # to_value of a contact that earns no points
STAGE: Final = "stage"
GRADE: Final = "grade"
PHONE: Final = "phone"
WECHAT: Final = "wechat"
FOLLOWUP: Final = "followup"
NOTE: Final = "note"
EDIT: Final = "edit"
DELETED: Final = "deleted"
RESTORED: Final = "restored"
ASSIGNED: Final = "assigned"
MOVED: Final = "moved"
SCRIPT: Final = "script"
