"""Natural-language dates and times in Chinese and English (PRODUCT.md 2.2, 5.1).

Pure: "today" and "now" are passed in. A month-day without a year is always the next such day
from today; a month alone means its 1st day. Anything we do not understand raises
`DateParseError` instead of being guessed.

Accepted date forms (examples):
- absolute: 2027-05-01, 2027/5/1, 2027年5月1日, May 1 2027, 1 May 2027
- month-day: 5月1日, 5月1号, 五月一日, May 1, May 1st, 1st of May
- month: 5月, 明年5月, 2027年5月, May, next May, May 2027 (its 1st day)
- holidays: 五一, 明年五一, 国庆, 十一, 元旦, 圣诞, 情人节
- relative: 今天, 明天, 后天, 大后天, today, tomorrow, the day after tomorrow
- weekdays: 周六, 星期六, 这周六, 下周六, 下下周六, Saturday, this Saturday, next Saturday
  (下周六 is the Saturday of next calendar week; "next Saturday" the first Saturday after today)
- offsets: 3天后, 两周后, 三个月后, 半年后, 一年后, in 3 days, in 2 weeks, in 3 months,
  3 months later
- weekends and days of a month: 周末, 下周末, this weekend, next weekend, 下个月5号, 本月20号,
  20号 (the next 20th)
- month ends: 月底, 月初, 下个月底, 下月初, 5月底, 年底, end of month, end of next month,
  end of the year, next month (its 1st day)
- parts of a year (their first day; periods.py): 春天, 后年春天, 开春, 夏季, 秋天, 冬天, 上半年,
  明年下半年, 年初, 年中, 明年初, next spring, spring 2027, in the autumn, the second half of next
  year, the start of next year, mid-2027, mid-year

Times (for follow-ups): 下午3点, 3点半, 15:30, 10点20分, 3pm, 3:30 pm, at 10am, noon, in 2 hours,
2小时后, 半小时后, in 30 minutes, 上午/下午/晚上 alone (10:00 / 15:00 / 20:00), and any of them
after a day, glued or spaced: 今天23:59, 今晚8点, 周五 15:30, today 23:59.

The package: core.py (numbers, calendar arithmetic, clean-up), rules.py (date phrases),
periods.py (parts of a year), times.py (follow-up moments).
"""

from assistant.domain.dates.core import (
    DEFAULT_HOUR,
    MAX_TEXT,
    DateParseError,
    add_months,
    cn_number,
    month_end,
    normalize,
    prepare,
)
from assistant.domain.dates.rules import Found, find_date, parse_date
from assistant.domain.dates.times import parse_when

__all__ = [
    "DEFAULT_HOUR",
    "MAX_TEXT",
    "DateParseError",
    "Found",
    "add_months",
    "cn_number",
    "find_date",
    "month_end",
    "normalize",
    "parse_date",
    "parse_when",
    "prepare",
]
