"""The PNC vulnerability marker: the worklist, coverage and the audited export."""
