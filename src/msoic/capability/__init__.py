"""Capability building on record: training courses and events, their sessions and who
attended (issue 13, first slice). Figures reach the metric engine as a derived source."""
