"""The data cleanse: a unit-opened review of live cases, worked by each force."""
