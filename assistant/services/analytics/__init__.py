"""Daily numbers and the funnel: summaries, marketing figures, goals, the evening review.

Every count is over lead events in the person's local calendar (PRODUCT.md 3.1): the additive
ones from the per-day LeadRollup, the distinct-lead ones from LeadEvent rows (queries.py says
which); the rules live in assistant.domain.funnel. The functions here return plain,
JSON-friendly view models (dicts of strings and numbers) that the templates render, so a
scheduler can store them.

A package (queries, views, summary, goals, review); its names are re-exported here.
"""

from __future__ import annotations

from assistant.services.analytics.goals import GoalReply as GoalReply
from assistant.services.analytics.goals import goal_command as goal_command
from assistant.services.analytics.goals import numbers_day as numbers_day
from assistant.services.analytics.goals import numbers_today as numbers_today
from assistant.services.analytics.goals import parse_goal as parse_goal
from assistant.services.analytics.goals import record_numbers as record_numbers
from assistant.services.analytics.goals import set_goal as set_goal
from assistant.services.analytics.goals import show_goal as show_goal
from assistant.services.analytics.queries import counts_by_owner as counts_by_owner
from assistant.services.analytics.queries import period_counts as period_counts
from assistant.services.analytics.queries import utc_bounds as utc_bounds
from assistant.services.analytics.review import evening_review as evening_review
from assistant.services.analytics.summary import Funnel as Funnel
from assistant.services.analytics.summary import chart_rows as chart_rows
from assistant.services.analytics.summary import compute as compute
from assistant.services.analytics.summary import summary as summary
from assistant.services.analytics.views import paces_for as paces_for
from assistant.services.analytics.views import period_view as period_view
