"""The funnel (PRODUCT.md section 3): counts from events, rates, drop-offs, diagnosis, goals, pace.

Pure: no I/O; every moment and day is passed in. A rate whose denominator is zero is `None`
and is shown as "—", never as an error or 0%.

A package (counts, rates, diagnosis, goals, numbers); its names are re-exported here.
"""

from __future__ import annotations

from assistant.domain.funnel.counts import CLOSING_STAGES as CLOSING_STAGES
from assistant.domain.funnel.counts import EventRow as EventRow
from assistant.domain.funnel.counts import PeriodCounts as PeriodCounts
from assistant.domain.funnel.counts import count_events as count_events
from assistant.domain.funnel.counts import format_number as format_number
from assistant.domain.funnel.counts import format_percent as format_percent
from assistant.domain.funnel.counts import percent as percent
from assistant.domain.funnel.counts import text_bar as text_bar
from assistant.domain.funnel.diagnosis import RULES as RULES
from assistant.domain.funnel.diagnosis import STEP_RULES as STEP_RULES
from assistant.domain.funnel.diagnosis import Diagnosis as Diagnosis
from assistant.domain.funnel.diagnosis import Rule as Rule
from assistant.domain.funnel.diagnosis import coaching_tip as coaching_tip
from assistant.domain.funnel.diagnosis import diagnose as diagnose
from assistant.domain.funnel.goals import MIN_HISTORY as MIN_HISTORY
from assistant.domain.funnel.goals import EffortShare as EffortShare
from assistant.domain.funnel.goals import Pace as Pace
from assistant.domain.funnel.goals import behind_pace_alert as behind_pace_alert
from assistant.domain.funnel.goals import breakdown as breakdown
from assistant.domain.funnel.goals import effort_mix as effort_mix
from assistant.domain.funnel.goals import goal_rates as goal_rates
from assistant.domain.funnel.goals import milestones_crossed as milestones_crossed
from assistant.domain.funnel.goals import month_bounds as month_bounds
from assistant.domain.funnel.goals import most_off_mix as most_off_mix
from assistant.domain.funnel.goals import pace as pace
from assistant.domain.funnel.goals import plan_with as plan_with
from assistant.domain.funnel.goals import reverse_plan as reverse_plan
from assistant.domain.funnel.goals import working_days as working_days
from assistant.domain.funnel.numbers import NumbersError as NumbersError
from assistant.domain.funnel.numbers import parse_numbers as parse_numbers
from assistant.domain.funnel.rates import LAYER_RATES as LAYER_RATES
from assistant.domain.funnel.rates import LAYERS as LAYERS
from assistant.domain.funnel.rates import RATE_FORMULAS as RATE_FORMULAS
from assistant.domain.funnel.rates import Marketing as Marketing
from assistant.domain.funnel.rates import RateCheck as RateCheck
from assistant.domain.funnel.rates import Step as Step
from assistant.domain.funnel.rates import biggest_drop as biggest_drop
from assistant.domain.funnel.rates import click_visit_flagged as click_visit_flagged
from assistant.domain.funnel.rates import click_visit_loss as click_visit_loss
from assistant.domain.funnel.rates import cost_per as cost_per
from assistant.domain.funnel.rates import layer_rates as layer_rates
from assistant.domain.funnel.rates import lowest_against_target as lowest_against_target
from assistant.domain.funnel.rates import rate_checks as rate_checks
from assistant.domain.funnel.rates import steps as steps
from assistant.domain.funnel.rates import sum_marketing as sum_marketing
from assistant.domain.funnel.rates import weakest as weakest
