"""OIC peer reviews: the schedule, findings by theme, task-and-finish tracking of
recommendations with verified closure, the national roll-up and the good practice library."""
